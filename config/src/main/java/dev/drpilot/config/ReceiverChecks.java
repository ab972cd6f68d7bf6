package dev.drpilot.config;

/** The problems receiver types report in the same words. */
final class ReceiverChecks {
    private ReceiverChecks() {
    }

    static void missing(Section item, String key, String why) {
        item.problems().add(item.child(key), "missing: " + why);
    }

    /** @param path the key's full path, an index included for an item of a list */
    static void requireHttpUrl(Section item, String path, String url) {
        if (!ProbeBinder.isHttpUrl(url)) {
            item.problems().add(path, "\"" + url + "\" is not an http:// or https:// URL");
        }
    }
}

package dev.drpilot.notify.status;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The machine's own Chromium, driven through its own chromedriver (Debian: chromium, chromium-driver;
 * CHROMIUM_BIN and CHROMEDRIVER_BIN override the paths). Both paths are given to Selenium, so that
 * Selenium Manager never tries to download a driver or a browser: there is no network for it here.
 */
final class HeadlessChromium {
    private static final String INSTALL = "install them (Debian/Ubuntu: apt-get install -y --no-install-recommends chromium chromium-driver; "
            + "./run-tests does it when run as root) or set CHROMIUM_BIN and CHROMEDRIVER_BIN";

    private HeadlessChromium() {
    }

    /** Fails (not skips) when Chromium or chromedriver is missing: a page nobody looked at is not a passed test. */
    static ChromeDriver start(Path profile) throws IOException {
        Path browser = executable("CHROMIUM_BIN", "/usr/bin/chromium", "Chromium");
        Path driver = executable("CHROMEDRIVER_BIN", "/usr/bin/chromedriver", "chromedriver");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60)).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--user-data-dir=" + Files.createDirectories(profile).toAbsolutePath());
        return new ChromeDriver(service, options);
    }

    private static Path executable(String variable, String fallback, String what) {
        String configured = System.getenv(variable);
        Path path = Path.of(configured == null || configured.isBlank() ? fallback : configured);
        if (!Files.isExecutable(path)) {
            throw new AssertionError(what + " not found at " + path + (configured == null ? " (" + variable + " not set)" : " (from " + variable + ")")
                    + ": the status page test needs a real browser; " + INSTALL);
        }
        return path;
    }
}

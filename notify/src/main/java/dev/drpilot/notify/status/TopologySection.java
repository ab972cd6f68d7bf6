package dev.drpilot.notify.status;

import java.util.List;

import static dev.drpilot.notify.status.Html.escape;

/**
 * The page's "Topology" section: per cluster, each node's live role, timeline, upstream, lag and since when, and the
 * configured role only as a note where it differs. {@code status.js}'s {@code topologyArticle} renders the same markup.
 */
final class TopologySection {
    private static final String NONE = "—";

    private TopologySection() {
    }

    static void render(StringBuilder html, List<StatusSnapshot.ClusterTopology> clusters) {
        html.append("\n<section>\n<h2>Topology</h2>\n<div id=\"topology\">");
        if (clusters.isEmpty()) {
            html.append("<p class=\"empty\">no clusters configured</p>");
        }
        clusters.forEach(cluster -> cluster(html, cluster));
        html.append("</div>\n</section>");
    }

    private static void cluster(StringBuilder html, StatusSnapshot.ClusterTopology cluster) {
        html.append("\n<article class=\"cluster-topology").append(cluster.warning() == null ? "" : " split").append("\" data-cluster=\"")
                .append(escape(cluster.cluster())).append("\"><h3>cluster ").append(escape(cluster.cluster()));
        if (cluster.warning() != null) {
            html.append(" <span class=\"warning badge\">").append(escape(cluster.warning())).append("</span>");
        }
        html.append("</h3><table class=\"nodes\"><thead><tr><th>Node</th><th>Role</th><th>Timeline</th><th>Upstream</th><th>Lag</th>")
                .append("<th>Since</th><th>Note</th></tr></thead><tbody>");
        for (StatusSnapshot.NodeRow node : cluster.nodes()) {
            html.append("<tr class=\"node role-").append(StatusPage.token(node.role())).append("\" data-node=\"").append(escape(node.node()))
                    .append("\"><td class=\"node-name\">").append(escape(node.node())).append("</td>")
                    .append("<td class=\"role\" title=\"").append(escape(node.basis())).append("\"><span class=\"badge\">")
                    .append(escape(node.role())).append("</span></td>");
            cell(html, "timeline", node.timeline() == null ? null : node.timeline().toString());
            cell(html, "upstream", node.upstream());
            cell(html, "node-lag", node.lagText());
            cell(html, "since", node.sinceText());
            html.append("<td class=\"note\">").append(node.note() == null ? "" : escape(node.note())).append("</td></tr>");
        }
        html.append("</tbody></table></article>");
    }

    private static void cell(StringBuilder html, String css, String text) {
        html.append("<td class=\"").append(css).append("\">").append(text == null ? NONE : escape(text)).append("</td>");
    }
}

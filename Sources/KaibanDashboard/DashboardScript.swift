import Foundation
import KaibanCore

/// The served page's one inline script: every ``DashboardPage/Refresh/seconds`` it asks the
/// at-risk endpoint (same origin, the page's bearer ticket) and redraws the at-risk table with
/// DOM text nodes (never markup from data). Written without `<` or `&`, so the page stays
/// well-formed XHTML; the labels it needs come in a JSON block whose `<`, `>` and `&` are escaped.
struct DashboardScript {
    let page: DashboardPage
    let refresh: DashboardPage.Refresh

    struct Labels: Encodable {
        var path: String
        var ticket: String
        var seconds: Int
        var stages: [String: String]
        var states: [String: String]
        var left: String
        var over: String
        var reached: String
        var none: String
        var failed: String
        var updated: String
    }

    func html() -> String {
        let labels = Labels(
            path: refresh.path, ticket: refresh.ticket, seconds: refresh.seconds,
            stages: page.data.stageNames.mapValues { $0.text(page.language) },
            states: Dictionary(
                uniqueKeysWithValues: SLAState.allCases.map { ($0.rawValue, $0.name.text(page.language)) }),
            left: page.t("剩余%d分钟", "%d min left"), over: page.t("超时%d分钟", "%d min over"),
            reached: page.t("已到时限", "limit reached"),
            none: page.t("没有临近超时或已超时的办件", "no case is at risk or breached"),
            failed: page.t("自动刷新失败：", "refresh failed: "), updated: page.t("已自动刷新", "refreshed"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = HTMLText.scriptJSON((try? encoder.encode(labels)) ?? Data("{}".utf8))
        let nonce = HTMLText.escape(refresh.nonce)
        return """
            <script type="application/json" id="dashboard-labels">\(json)</script>
            <script nonce="\(nonce)">
            (function () {
              "use strict";
              var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
              var table = document.getElementById("at-risk-table");
              var status = document.getElementById("at-risk-status");
              function local(iso) { return iso ? iso.slice(0, 16).replace("T", " ") : "\\u2014"; }
              function left(minutes) {
                if (minutes === null || minutes === undefined) { return "\\u2014"; }
                if (minutes === 0) { return labels.reached; }
                return minutes > 0 ? labels.left.replace("%d", minutes) : labels.over.replace("%d", -minutes);
              }
              function cell(row, text) {
                var td = document.createElement("td");
                td.textContent = text;
                row.appendChild(td);
              }
              function draw(data) {
                var body = document.createElement("tbody");
                data.cases.forEach(function (item) {
                  var row = document.createElement("tr");
                  row.className = item.sla.state;
                  row.setAttribute("data-number", item.number);
                  row.setAttribute("data-state", item.sla.state);
                  row.setAttribute("data-remaining-minutes", item.sla.remainingMinutes === null ? "" : String(item.sla.remainingMinutes));
                  cell(row, item.number);
                  cell(row, item.proposedName);
                  cell(row, labels.stages[item.stage] || item.stage);
                  cell(row, labels.states[item.sla.state] || item.sla.state);
                  cell(row, left(item.sla.remainingMinutes));
                  cell(row, local(item.sla.deadline));
                  body.appendChild(row);
                });
                if (data.cases.length === 0) {
                  var empty = document.createElement("tr");
                  empty.className = "empty";
                  var td = document.createElement("td");
                  td.colSpan = 6;
                  td.textContent = labels.none;
                  empty.appendChild(td);
                  body.appendChild(empty);
                }
                table.replaceChild(body, table.tBodies[0]);
                table.setAttribute("data-count", String(data.cases.length));
                table.setAttribute("data-as-of", data.asOf);
                document.getElementById("at-risk-as-of").textContent = local(data.asOf);
                status.textContent = " " + labels.updated;
              }
              function poll() {
                fetch(labels.path, { headers: { "Authorization": "Bearer " + labels.ticket, "Accept": "application/json" }, cache: "no-store", credentials: "omit" })
                  .then(function (answer) { if (!answer.ok) { throw new Error(String(answer.status)); } return answer.json(); })
                  .then(draw)
                  .catch(function (error) { status.textContent = " " + labels.failed + error.message; });
              }
              window.setInterval(poll, labels.seconds * 1000);
            })();
            </script>
            """
    }
}

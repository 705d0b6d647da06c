import Foundation
import Hummingbird
import KaibanCore
import KaibanDesk
import Prometheus
import Synchronization

/// The server's metrics in Prometheus' text format (`GET /metrics`): requests and their latencies
/// by route, method and status, counted as they are answered; and, read from the desk at each
/// scrape, the cases by stage and by channel and the open cases by SLA state.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    public init() {}

    /// The counter and histogram of each route, method and status seen: the registry's own
    /// lookup (names checked, labels compared) would be paid on every request.
    let series = Mutex([SeriesKey: (requests: Counter, durations: DurationHistogram)]())

    static let methods: Set = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "QUERY"]

    struct SeriesKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// One answered request: `route` is the path template (`/cases/{number}`), or `unmatched`.
    func record(route: String, method: String, status: Int, duration: Duration) {
        // A client may send any method token: the unknown ones are one series, not one each.
        let method = Self.methods.contains(method) ? method : "other"
        let key = SeriesKey(route: route, method: method, status: status)
        let known = series.withLock { $0[key] }
        let (requests, durations) = known ?? makeSeries(key)
        requests.increment()
        durations.record(duration)
    }

    func makeSeries(_ key: SeriesKey) -> (requests: Counter, durations: DurationHistogram) {
        let requests = registry.makeCounter(
            name: "kaiban_http_requests_total",
            labels: [("route", key.route), ("method", key.method), ("status", String(key.status))],
            help: "HTTP requests answered, by route template, method and status.")
        let durations = registry.makeDurationHistogram(
            name: "kaiban_http_request_duration_seconds", labels: [("route", key.route), ("method", key.method)],
            buckets: Self.buckets, help: "Time to answer an HTTP request, by route template and method.")
        // Unknown paths are one route (`unmatched`), methods and statuses a short list: bounded.
        series.withLock { $0[key] = (requests, durations) }
        return (requests, durations)
    }

    /// The text of a scrape, after the desk's figures are read.
    func scrape(_ desk: Desk) async throws -> String {
        let summary = try await desk.summary()
        for (stage, count) in summary.byStage {
            registry.makeGauge(
                name: "kaiban_cases_by_stage", labels: [("stage", stage)], help: "Cases by current stage."
            ).set(to: Double(count))
        }
        for (channel, count) in summary.byChannel {
            registry.makeGauge(
                name: "kaiban_cases_by_channel", labels: [("channel", channel)], help: "Cases by channel."
            ).set(to: Double(count))
        }
        // At risk or breached against the whole budget (0.4 working day); the rest of the open are on track.
        let watched = try await desk.atRisk(limit: 10_000)
        let breached = watched.filter { $0.sla.state == .breached }.count
        let atRisk = watched.count - breached
        for (state, count) in [
            ("on-track", max(0, summary.open - watched.count)), ("at-risk", atRisk), ("breached", breached),
        ] {
            registry.makeGauge(
                name: "kaiban_open_cases_sla", labels: [("state", state)],
                help: "Open cases by SLA state against the 0.4-working-day budget."
            ).set(to: Double(count))
        }
        // What a supervisor must act on: 容缺 deferrals past their deadline, mail cases' licences
        // not posted within a working day (Forms/monitoring/alerts.yml alerts on both).
        let overdue = try await desk.deferrals(.overdue, limit: 10_000).count
        registry.makeGauge(
            name: "kaiban_deferrals_overdue", labels: [],
            help: "Open deferrals (容缺) past their deadline, for a supervisor."
        ).set(to: Double(overdue))
        let late = try await desk.mailPending().awaitingLicencePost.filter(\.overdue).count
        registry.makeGauge(
            name: "kaiban_mail_licences_late", labels: [],
            help: "Mail cases' licences not posted within one working day of their issue."
        ).set(to: Double(late))
        // The exchange with the partner province: messages by state, and how long the oldest one
        // has waited for its receipt (Forms/monitoring/alerts.yml alerts when the outbox is stuck).
        let outbox = try await desk.store.outboundCounts()
        for state in OutboundState.allCases {
            registry.makeGauge(
                name: "kaiban_exchange_outbox", labels: [("state", state.rawValue)],
                help: "Messages to the partner province by state (pending, sent, acknowledged, rejected, failed)."
            ).set(to: Double(outbox[state] ?? 0))
        }
        let waiting = try await desk.store.oldestUnansweredOutbound().map {
            max(0, desk.clock.now().timeIntervalSince($0))
        }
        registry.makeGauge(
            name: "kaiban_exchange_outbox_oldest_unanswered_seconds", labels: [],
            help: "Seconds the oldest message to the partner province has waited for its receipt (0: none waiting)."
        ).set(to: waiting ?? 0)
        return registry.emitToString()
    }
}

extension KaibanServer {
    /// `GET /metrics`: Prometheus' text exposition format.
    func addMetricsRoutes(_ routes: RouteTable) {
        let desk = desk
        let metrics = metrics
        routes.get("/metrics") { _, _ in
            let text = try await metrics.scrape(desk)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}

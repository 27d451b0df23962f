"""Phrase pools for the synthetic post-mortems written by :mod:`bench.generate`.

Every text is blameless by construction: systems, changes and signals are the subjects,
people appear only as roles doing the response, and names only in "Who Was Involved".
Placeholders in braces are filled from the incident's slots (see ``generate.slots``).
"""

from __future__ import annotations

SERVICES = [
    "checkout", "orders-db", "payments-api", "auth", "search", "catalog", "inventory",
    "pricing", "cart", "delivery-eta", "routing", "notifications", "email-sender",
    "sms-gateway", "image-cdn", "web-frontend", "mobile-api", "api-gateway", "identity",
    "sessions-redis", "recommendations", "reviews", "loyalty", "promotions", "refunds",
    "ledger", "billing", "invoicing", "warehouse-sync", "picking", "substitutions",
    "courier-dispatch", "maps-proxy", "geocoder", "feature-flags", "config-service",
    "event-bus", "analytics-pipeline", "reporting", "data-warehouse", "ml-ranking",
    "fraud-check", "tax-service", "currency-rates", "store-locator", "slot-booking",
    "customer-support", "chat-widget", "help-center", "partner-api", "supplier-portal",
    "returns", "gift-cards", "subscriptions", "ci-runners", "artifact-registry", "vault",
    "dns", "load-balancer", "k8s-platform", "logging-pipeline", "metrics-stack",
]

TEAMS = [
    "sre-team", "db-team", "platform-team", "payments-team", "security-team", "search-team",
    "checkout-team", "delivery-team", "data-team", "mobile-team", "web-team",
    "notifications-team", "identity-team", "finance-eng", "ml-team", "support-tools",
]

TICKET_PREFIX = {
    "sre-team": "SRE", "db-team": "DB", "platform-team": "PLAT", "payments-team": "PAY",
    "security-team": "SEC", "search-team": "SRCH", "checkout-team": "CHK",
    "delivery-team": "DLV", "data-team": "DATA", "mobile-team": "MOB", "web-team": "WEB",
    "notifications-team": "NOTIF", "identity-team": "IDN", "finance-eng": "FIN",
    "ml-team": "ML", "support-tools": "SUP",
}

FIRST = [
    "Marta", "Daniel", "Priya", "Kofi", "Nadia", "Oliver", "Aisha", "Lucas", "Mei", "Tomasz",
    "Elif", "Jonas", "Fatima", "Hiroshi", "Ines", "Ravi", "Sofia", "Omar", "Greta", "Samir",
    "Clara", "Mateo", "Hana", "Felix", "Zara", "Yusuf", "Olga", "Arjun", "Lea", "Victor",
]
LAST = [
    "Kowalczyk", "Osei", "Raman", "Mensah", "Haddad", "Brennan", "Bello", "Ferreira", "Chen",
    "Nowak", "Demir", "Lindqvist", "Rahman", "Tanaka", "Moreau", "Iyer", "Rossi", "Farouk",
    "Johansson", "Khalil", "Becker", "Alvarez", "Sato", "Novak", "Okafor", "Yilmaz",
    "Petrova", "Sharma", "Dubois", "Costa",
]

ROLES = [
    ("Incident Commander", "coordination and status updates"),
    ("On-call SRE", "first response and containment"),
    ("Database Engineer", "diagnosis of the database side"),
    ("Platform Engineer", "infrastructure changes"),
    ("Service Owner", "verification of the fix"),
    ("Communications Lead", "customer and partner updates"),
    ("Security Engineer", "credential rotation and review"),
    ("Engineering Manager", "follow-up at the reliability review"),
    ("Support Lead", "customer ticket triage"),
    ("Release Engineer", "rollback and pipeline changes"),
]

REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

DETECTION_TEXT = {
    "monitoring": [
        "The `{alert}` alert paged the on-call SRE at {det}.",
        "Monitoring raised `{alert}` at {det}, {detect_delay} after the first impact.",
        "An error-rate alert on the {svc} dashboard (`{alert}`) fired at {det}.",
    ],
    "user-report": [
        "Customer reports reached support from {det}; no alert covered this symptom.",
        "The first signal was a spike in support tickets, escalated to the on-call SRE at {det}.",
        "A partner reported the symptom through the partner channel at {det}.",
    ],
    "failed-run": [
        "The nightly `{job}` run failed at {det} and opened a ticket for {team}.",
        "A failed `{job}` run at {det} was the first signal.",
    ],
    "audit": [
        "A scheduled audit of {svc} surfaced the problem at {det}.",
        "The quarterly access and configuration audit flagged the condition at {det}.",
    ],
    "routine-check": [
        "A routine capacity review found the condition at {det}.",
        "The weekly health check of {svc} showed the anomaly at {det}.",
    ],
}

SUMMARY_OPEN = [
    "On {weekday} {long_date} at {start} UTC {trigger}.",
    "At {start} UTC on {weekday} {long_date}, {trigger}.",
    "Starting at {start} UTC on {long_date}, {trigger}.",
]
SUMMARY_EFFECT = [
    "As a result, {symptom} for {impact_minutes}.",
    "For the next {impact_minutes} {symptom}.",
    "Until containment at {cont}, {symptom}.",
]
SUMMARY_CLOSE = [
    "The incident was contained at {cont} by {mitigation_short} and resolved at {res}.",
    "{mitigation_cap} contained the impact at {cont}; the fix was verified at {res}.",
    "Containment came at {cont} and the incident was closed as resolved at {res}.",
]

IMPACT_LINES = [
    "- **Duration:** {impact_minutes} of customer impact ({start} to {cont}), "
    "with full recovery at {res}.",
    "- **Customers:** about {customers} distinct customers saw the symptom; {failed} "
    "requests failed, peaking at {peak}% of traffic.",
    "- **Orders:** {orders} orders were delayed or abandoned in the window, an estimated "
    "{lost} of them lost after retries.",
    "- **Scope:** {region} only; other regions kept serving from their own {svc} instances.",
    "- **Support:** {tickets} support tickets were opened, most of them in the first "
    "{ticket_window} minutes.",
    "- **Partners:** {partners} partner integrations received errors from `{svc2}` and "
    "retried successfully after {cont}.",
    "- **Internal:** the {svc2} dashboards were unavailable to operations staff for "
    "{impact_minutes}.",
]
IMPACT_DATA = {
    (True, False): "- **Data:** {rows} records were lost; {restored} were restored from backups "
                   "and the remainder were re-created from the event log.",
    (False, True): "- **Security:** the exposure was limited to the window above; the access "
                   "logs show no use of the affected credential from outside the company.",
    (True, True): "- **Data and security:** {rows} records were exposed and lost; the affected "
                  "customers were notified within 72 hours as the data protection process "
                  "requires.",
    (False, False): "- **Data:** no data was lost or duplicated; every failed request ended "
                    "before a write was committed.",
}
IMPACT_CORRECTNESS = [
    "- **Correctness:** {wrong_pct}% of responses in the window carried stale or inaccurate "
    "values; the affected records were corrected by {res}.",
    "- **Correctness:** {rows} records were written with inaccurate values and were "
    "re-processed after the fix.",
]
IMPACT_NO_PROD = [
    "- **Production:** customers were not affected; the impact was limited to internal "
    "tooling and the {svc} staging environment.",
    "- **Production:** no customer-facing service degraded; internal jobs were delayed by "
    "{impact_minutes}.",
]

EVIDENCE = [
    "Grafana `{svc}-golden-signals`", "Alertmanager, PagerDuty incident #{pd}",
    "`#inc-{svc}` channel", "deploy log `{deploy_id}`", "Kibana query saved as `inc-{pd}`",
    "status page update", "`kubectl get events -n {svc}`", "trace `{trace}` in Tempo",
    "ops change `ops-changes#{change}`", "support dashboard, ticket volume panel",
    "CloudWatch metric `{metric}`", "Sentry issue {sentry}",
]
TIMELINE_START = [
    "{trigger_cap}", "First impact: {symptom}", "{trigger_cap}; impact begins",
]
TIMELINE_DETECT = [
    "`{alert}` fires", "First customer report reaches support", "Failed `{job}` run reported",
    "Signal reaches the on-call SRE",
]
TIMELINE_ACK = [
    "On-call SRE acknowledges and declares {severity}",
    "Incident declared as {severity}; incident channel opened",
    "Incident commander takes over coordination; status page updated",
]
TIMELINE_STATUS = [
    "Status page updated with the customer impact", "Support briefed with a holding reply",
    "Update posted to the incident channel with the current hypothesis",
    "{svc2} owners join the incident channel",
]
TIMELINE_CONTAINED = [
    "Error rate back below 0.5%; incident contained", "Impact stops; incident contained",
    "Customer-facing symptom gone; monitoring continues",
]
TIMELINE_VERIFY = [
    "Metrics at baseline for 30 minutes", "Backlog drained and replays verified",
    "Synthetic checks green in every region", "Follow-up change deployed and verified",
]
TIMELINE_RESOLVED = [
    "Fix verified; incident resolved", "Incident resolved and status page closed",
    "Error budget impact recorded; incident resolved",
]

DECISIONS = [
    ("Roll back before diagnosing further",
     "The rollback was tested and takes under five minutes for {svc}",
     "Roll forward with a hotfix once the cause was known"),
    ("Declare {severity} rather than a lower level",
     "The decision tree gave {severity} from the impact flags, and paging more responders "
     "early was cheap", "Start lower and escalate if needed"),
    ("Keep {svc2} serving from its cache",
     "Stale data for a few minutes was acceptable for customers", "Turn {svc2} off"),
    ("Contain first with {mitigation_short}, diagnose afterwards",
     "The step was reversible and had been tested before",
     "Keep serving degraded traffic while diagnosing"),
    ("Fail traffic over to {region2}",
     "{region2} had headroom and a warm cache", "Scale up {svc} in place"),
    ("Pause deploys to {svc} until the fix was verified",
     "Reduces the number of moving parts during diagnosis", "Allow hotfixes only"),
    ("Post a status page update within 15 minutes",
     "Support needed a reply for the incoming tickets", "Wait for a confirmed cause"),
    ("Keep the {svc2} queue paused during the fix",
     "Replaying later is safer than processing with the known defect",
     "Process with a compensating job afterwards"),
]

LESSONS = [
    "- A control that lives in a runbook runs only when someone opens the runbook; checks that "
    "matter belong in the pipeline.",
    "- The alert that fired pointed at the symptom, and the dashboard it linked to showed the "
    "cause; that link saved most of the diagnosis time.",
    "- Staging differs from production in {diff}, so the change looked safe in every test it "
    "went through.",
    "- Declaring the incident early paid off: support had a holding reply within minutes.",
    "- Reversible mitigations bought time for a careful diagnosis.",
    "- Defaults that are safe for a small service are not safe at our scale; they need to be "
    "explicit in configuration.",
    "- Dependencies between services that are not written down surface only during incidents.",
]

ACTION_DETAIL = [
    "Prevention items change the configuration or the code that let this happen; detection "
    "items make the same condition page within minutes; process items cover the review and "
    "the runbook.",
    "The first item is the direct fix and was done during the incident or the day after. The "
    "others reduce the chance of a similar failure in the services that share the pattern.",
    "Two of the items apply beyond {svc}: the same pattern exists in services that were built "
    "from the same template, and their owners are copied on the tickets.",
]
ACTION_SENTENCE = [
    "The items below are owned by the teams named in the table. {done} of {total} are "
    "done; the remaining ones are tracked at the weekly reliability review.",
    "The prevention items address the root cause, and the detection items shorten the time "
    "to the first signal. Progress is reviewed every week until all are closed.",
    "Each item has an owner and a due date; items past their date are raised at the "
    "monthly reliability review.",
]

DIFFS = ["data volume", "instance sizes", "the number of replicas", "traffic shape",
         "the certificate chain", "the retry policy"]
ALERTS = ["HighErrorRate", "LatencySLOBurn", "PgbouncerClientsWaiting", "QueueLagHigh",
          "DiskUsageCritical", "CertificateExpiry", "ProbeFailure", "PodCrashLooping",
          "5xxRatioHigh", "ConsumerStalled", "ReplicaLagHigh", "CacheHitRateLow"]
JOBS = ["reconcile-payments", "export-orders", "rebuild-search-index", "sync-inventory",
        "settle-refunds", "rotate-keys", "backup-verify", "compact-events"]
METRICS = ["HTTPCode_ELB_5XX_Count", "TargetResponseTime", "CPUUtilization",
           "DatabaseConnections", "FreeStorageSpace", "NetworkIn"]

# One archetype per kind of incident. Each slot is a list of alternatives.
ARCHETYPES: list[dict] = [
    {
        "category": "config-change",
        "flags": {"production": 0.95, "data_loss": 0.02, "security": 0.0,
                  "users_blocked": 0.7, "correctness": 0.2},
        "fix": ["workaround", "full-fix", "revert"],
        "tags": ["database", "postgresql", "failover", "connection-pool", "pgbouncer",
                 "configuration"],
        "titles": ["{svc_cap} errors after {dep} failover",
                   "Connection limit on promoted {dep} replica broke {svc}",
                   "{svc_cap} timeouts after {dep} replica promotion"],
        "trigger": ["the primary of {dep} was retired and a replica with a lower connection "
                    "limit was promoted",
                    "{dep} failed over to `{host}`, which accepted only {limit} connections",
                    "an automatic failover of {dep} promoted `{host}`"],
        "symptom": ["{svc} requests timed out waiting for a database connection",
                    "{peak}% of {svc} requests returned HTTP 503",
                    "{svc} queued requests behind a saturated connection pool"],
        "mitigation": ["lowering the pgbouncer pool size to fit the new limit",
                       "switching the primary over to a correctly sized member",
                       "raising `max_connections` on the promoted member"],
        "proximate": ["The promoted member `{host}` had `max_connections = {limit}`.",
                      "pgbouncer was sized for {pool} server connections; the new primary "
                      "accepted {limit}."],
        "root": ["The replica provisioning module rendered the default connection limit, so "
                 "every new replica carried it.",
                 "Connection limits were set by hand on existing hosts and not in the "
                 "provisioning code that builds new ones."],
        "systemic": ["Configuration parity between members is checked only during planned "
                     "switchovers, which an automatic failover does not run.",
                     "Nothing compares the settings of replicas with those of the primary."],
        "detect_gap": ["The parity check lives in a runbook step, not in an alert.",
                       "Staging runs every member with the same small limit."],
        "factors": ["Staging runs every member with the default limit, so failover tests "
                    "cannot show the difference.",
                    "The replica was added for the peak season and was eligible for promotion "
                    "from the first day.",
                    "The pool size of pgbouncer is set per instance, and the number of "
                    "instances doubled in the last quarter.",
                    "The runbook parity check only runs during planned switchovers.",
                    "The connection-limit alert fired on the primary only."],
        "prevention": ["The provisioning module derives `max_connections` from the primary's "
                       "size class.",
                       "A drift check compares `max_connections`, `shared_buffers` and "
                       "`work_mem` across members every 15 minutes.",
                       "Failover game days run every quarter against a production-like "
                       "cluster.",
                       "pgbouncer pool sizes are computed from the database limit at deploy "
                       "time."],
        "actions": [("Render max_connections in the replica module from the primary's size "
                     "class", "prevent", "platform-team"),
                    ("Alert when configuration differs between {dep} members", "detect",
                     "db-team"),
                    ("Run an unplanned-failover game day on {dep} every quarter", "process",
                     "db-team"),
                    ("Compute pgbouncer pool sizes from the database connection limit",
                     "prevent", "platform-team"),
                    ("Cap pgbouncer client wait at 5 seconds so requests fail fast",
                     "mitigate", "sre-team")],
        "diagnosis": ["`SHOW max_connections` on `{host}` returns {limit}",
                      "pgbouncer `cl_waiting` climbs to {waiting}",
                      "Link to an earlier failover incident made in the channel",
                      "Patroni history shows the promotion of `{host}`"],
        "commands": ["$ patronictl -c /etc/patroni/patroni.yml list {dep}\n"
                     "| Member   | Role    | State     | Lag in MB |\n"
                     "| {host} | Leader  | running   |           |\n"
                     "| {host2} | Replica | streaming |         0 |",
                     "$ psql -h {host} -U sre_readonly -Atc 'SHOW max_connections;'\n{limit}",
                     "$ psql -h pgbouncer-{svc} -p 6432 pgbouncer -c 'SHOW POOLS;' | head -3"],
    },
    {
        "category": "process-gap",
        "flags": {"production": 0.9, "data_loss": 0.0, "security": 0.05,
                  "users_blocked": 0.8, "correctness": 0.1},
        "fix": ["hotfix", "full-fix"],
        "tags": ["tls", "certificates", "expiry", "renewal", "cdn"],
        "titles": ["Expired certificate on the {svc} endpoint",
                   "{svc_cap} unreachable after its TLS certificate expired",
                   "Expired wildcard certificate broke {svc} and {svc2}"],
        "trigger": ["the TLS certificate of `{svc}.basketly.example` expired",
                    "the wildcard certificate used by {svc} and {svc2} reached its expiry date",
                    "clients began rejecting the expired certificate of {svc}"],
        "symptom": ["clients failed the TLS handshake with {svc}",
                    "the mobile app showed a connection error on every {svc} call",
                    "browsers showed a certificate warning on {svc}"],
        "mitigation": ["installing a newly issued certificate",
                       "switching the endpoint to the managed certificate",
                       "re-issuing the certificate through the ACME client"],
        "proximate": ["The certificate on the {svc} load balancer expired at {start} UTC.",
                      "The renewal job had been failing for {days} days."],
        "root": ["Renewal of this certificate depended on a calendar reminder rather than "
                 "automation.",
                 "The certificate was issued outside the automated pipeline, so the renewal "
                 "job did not know about it."],
        "systemic": ["There is no inventory of certificates, so manual ones are invisible to "
                     "the tooling.",
                     "Expiry alerts existed only for certificates issued by the pipeline."],
        "detect_gap": ["The expiry probe covered only certificates issued by the pipeline.",
                       "Renewal job failures went to a mailbox that had no owner."],
        "factors": ["The certificate had been issued by hand during a migration two years "
                    "earlier.",
                    "The renewal reminder pointed at a distribution list that was retired.",
                    "The mobile app pins the intermediate certificate, which ruled out a "
                    "quick switch to another chain.",
                    "The renewal job reported failures by email only.",
                    "The runbook for certificate renewal predates the current load "
                    "balancers."],
        "prevention": ["All certificates are issued by the ACME pipeline and renewed 30 days "
                       "before expiry.",
                       "A probe checks the expiry of every public endpoint daily and pages "
                       "14 days ahead.",
                       "A certificate inventory is generated from the load balancer "
                       "configuration.",
                       "Renewal job failures open a ticket for the owning team."],
        "actions": [("Move the {svc} certificate to the ACME pipeline", "prevent",
                     "platform-team"),
                    ("Probe the expiry of every public endpoint and page 14 days ahead",
                     "detect", "sre-team"),
                    ("Generate a certificate inventory from the load balancer configuration",
                     "process", "security-team"),
                    ("Route renewal job failures to the owning team's ticket queue", "detect",
                     "platform-team"),
                    ("Document the pinning policy of the mobile app", "process",
                     "mobile-team")],
        "diagnosis": ["`openssl s_client` shows `notAfter` in the past",
                      "Handshake failures visible in the load balancer logs",
                      "Renewal job history shows {days} failed runs",
                      "Certificate traced to a manual issue during the migration"],
        "commands": ["$ echo | openssl s_client -connect {svc}.basketly.example:443 "
                     "-servername {svc}.basketly.example 2>/dev/null | openssl x509 -noout "
                     "-enddate\nnotAfter={cert_date}",
                     "$ kubectl -n cert-manager get certificates | grep {svc}\n"
                     "{svc}-tls   False   {svc}-tls   {days}d"],
    },
    {
        "category": "code-change",
        "flags": {"production": 0.9, "data_loss": 0.05, "security": 0.0,
                  "users_blocked": 0.5, "correctness": 0.6},
        "fix": ["revert", "hotfix", "revert"],
        "tags": ["regression", "release", "rollback", "canary"],
        "titles": ["{svc_cap} regression after release {ver}",
                   "Release {ver} of {svc} returned errors for {pct}% of requests",
                   "{svc_cap} {verb} after the {ver} release"],
        "trigger": ["release {ver} of {svc} reached all instances",
                    "the {ver} release of {svc} changed the handling of empty {field} values",
                    "a new serializer shipped in {svc} {ver}"],
        "symptom": ["{svc} returned HTTP 500 for requests with an empty {field}",
                    "{pct}% of {svc} responses carried a null {field}",
                    "{svc2} rejected responses from {svc} as malformed"],
        "mitigation": ["rolling back to the previous release",
                       "disabling the new code path with a feature flag",
                       "deploying a hotfix that restored the old handling"],
        "proximate": ["Release {ver} treated an empty `{field}` as an error.",
                      "The new serializer dropped `{field}` when it was empty."],
        "root": ["The contract between {svc} and {svc2} was not covered by a test, so the "
                 "change in behaviour passed CI.",
                 "The canary compared only error rates, and the regression affected a path "
                 "that the canary traffic did not exercise."],
        "systemic": ["Contract tests between services are optional and cover few endpoints.",
                     "Canary analysis uses synthetic traffic that does not reflect real "
                     "request shapes."],
        "detect_gap": ["The canary used synthetic traffic without empty fields.",
                       "Error alerts aggregate all endpoints, so one endpoint failing stayed "
                       "under the threshold."],
        "factors": ["The change was part of a larger refactoring with a diff of 1,400 lines.",
                    "Test fixtures always set `{field}`, so the empty case never ran.",
                    "Canary traffic is synthetic and does not include real request shapes.",
                    "The release went out on a {weekday} afternoon when traffic peaks.",
                    "{svc2} retried rejected responses, which tripled the load on {svc}."],
        "prevention": ["Contract tests between {svc} and {svc2} run in both pipelines.",
                       "Canary analysis replays a sample of real production requests.",
                       "Per-endpoint error alerts catch a single failing endpoint.",
                       "Test fixtures are generated from production request shapes."],
        "actions": [("Add contract tests between {svc} and {svc2} to both pipelines",
                     "prevent", "checkout-team"),
                    ("Replay a sample of production requests during canary analysis",
                     "detect", "platform-team"),
                    ("Alert on per-endpoint error rates for {svc}", "detect", "sre-team"),
                    ("Generate test fixtures from anonymised production requests", "prevent",
                     "data-team"),
                    ("Add a retry budget to the {svc2} client", "mitigate", "web-team")],
        "diagnosis": ["Errors correlate with the start of the {ver} rollout",
                      "Stack traces point at the `{field}` parser",
                      "Diff of {ver} shows the new empty-value handling",
                      "Canary report shows no anomaly for the failing endpoint"],
        "commands": ["$ kubectl -n {svc} rollout history deploy/{svc} | tail -3\n"
                     "41  {ver_prev}\n42  {ver}",
                     "$ kubectl -n {svc} rollout undo deploy/{svc} --to-revision=41\n"
                     "deployment.apps/{svc} rolled back",
                     "$ git log --oneline {ver_prev}..{ver} -- src/{field}/ | wc -l\n14"],
    },
    {
        "category": "dependency",
        "flags": {"production": 0.85, "data_loss": 0.0, "security": 0.0,
                  "users_blocked": 0.5, "correctness": 0.3},
        "fix": ["revert", "full-fix", "workaround"],
        "tags": ["dependency", "upgrade", "library", "timeouts"],
        "titles": ["{svc_cap} timeouts after an HTTP client upgrade",
                   "Library upgrade changed the default timeout in {svc}",
                   "{svc_cap} {verb} after a dependency bump"],
        "trigger": ["an automated dependency update of the HTTP client reached {svc}",
                    "{svc} picked up a new minor version of its database driver",
                    "a base image update changed the TLS library used by {svc}"],
        "symptom": ["calls from {svc} to {svc2} timed out after one second",
                    "{svc} opened a new connection for every request to {svc2}",
                    "{svc} failed to connect to {svc2} over TLS"],
        "mitigation": ["pinning the previous version of the library",
                       "setting the timeout explicitly in configuration",
                       "rolling back the base image"],
        "proximate": ["The new library version lowered the default read timeout to one second.",
                      "The new driver disabled connection reuse by default."],
        "root": ["{svc} relied on a library default instead of setting the value explicitly, "
                 "and the default changed in a minor release.",
                 "The upgrade was merged automatically because the tests do not exercise "
                 "timeouts or connection reuse."],
        "systemic": ["Automated dependency updates merge on green CI, and CI has no "
                     "performance or timeout tests.",
                     "Release notes of dependencies are not part of the update review."],
        "detect_gap": ["Latency alerts use a five-minute window that smoothed the spikes.",
                       "The client library exports no metrics for timeouts."],
        "factors": ["The dependency bot merges minor updates automatically on green CI.",
                    "The changelog mentioned the new default only in a footnote.",
                    "Staging calls {svc2} over the local network, where one second is enough.",
                    "Three services share the client wrapper, so the change spread widely.",
                    "The client exports no timeout metrics."],
        "prevention": ["Timeouts and pool sizes are set explicitly in every client.",
                       "Minor updates of network libraries need a review before merge.",
                       "A latency test against a slowed-down {svc2} runs in CI.",
                       "The client wrapper exports timeout and retry metrics."],
        "actions": [("Set timeouts and pool sizes explicitly in the shared client wrapper",
                     "prevent", "platform-team"),
                    ("Require review for updates of network libraries", "process",
                     "platform-team"),
                    ("Add a CI test that runs {svc} against a slowed-down {svc2}", "detect",
                     "checkout-team"),
                    ("Export timeout and retry metrics from the client wrapper", "detect",
                     "sre-team")],
        "diagnosis": ["Timeouts start with the deploy of the dependency update",
                      "Traces show client-side timeouts after exactly one second",
                      "Changelog of the library lists a new default",
                      "Connection count on {svc2} grows with request rate"],
        "commands": ["$ pip show httpx | grep Version\nVersion: {ver}",
                     "$ git log -1 --format=%s -- requirements.lock\n"
                     "Bump http client from {ver_prev} to {ver}"],
    },
    {
        "category": "capacity",
        "flags": {"production": 0.95, "data_loss": 0.0, "security": 0.0,
                  "users_blocked": 0.6, "correctness": 0.1},
        "fix": ["workaround", "full-fix"],
        "tags": ["capacity", "autoscaling", "peak-traffic", "kubernetes"],
        "titles": ["{svc_cap} saturated during the {event} peak",
                   "Autoscaling limit reached on {svc}",
                   "{svc_cap} {verb} under {event} traffic"],
        "trigger": ["traffic to {svc} rose to {mult} times the usual peak during the {event}",
                    "the {svc} deployment reached its autoscaling maximum of {replicas} pods",
                    "the {event} campaign sent {mult} times the usual traffic to {svc}"],
        "symptom": ["{svc} latency rose above {latency} ms and requests queued",
                    "{peak}% of {svc} requests timed out",
                    "{svc} shed load with HTTP 429 responses"],
        "mitigation": ["raising the autoscaling maximum",
                       "adding nodes to the cluster and rebalancing pods",
                       "turning off the recommendation widget to reduce load"],
        "proximate": ["The autoscaler of {svc} was capped at {replicas} pods.",
                      "The node pool had no spare capacity for new pods."],
        "root": ["Capacity limits were set from last year's peak and not reviewed before the "
                 "campaign.",
                 "Marketing campaigns are not part of the capacity planning process."],
        "systemic": ["There is no shared calendar between marketing and engineering for "
                     "traffic events.",
                     "Capacity reviews happen yearly, not before known events."],
        "detect_gap": ["The saturation alert fires at 95% of the maximum, too late to add "
                       "nodes.",
                       "No alert covers the autoscaler reaching its maximum."],
        "factors": ["The campaign was scheduled two days earlier than planned.",
                    "Node provisioning takes eight minutes in {region}.",
                    "The recommendation widget calls {svc} three times per page view.",
                    "The load test of the quarter used last year's traffic shape.",
                    "Retries from the mobile app doubled the request rate."],
        "prevention": ["Traffic events are on a shared calendar with a capacity review a week "
                       "ahead.",
                       "An alert fires when any autoscaler runs at its maximum for 5 minutes.",
                       "The node pool keeps 20% spare capacity during campaigns.",
                       "Load tests use the traffic shape of the last campaign."],
        "actions": [("Add traffic events to a shared calendar with a capacity review",
                     "process", "sre-team"),
                    ("Alert when an autoscaler runs at its maximum for 5 minutes", "detect",
                     "sre-team"),
                    ("Keep 20% spare node capacity during campaigns", "prevent",
                     "platform-team"),
                    ("Add jittered backoff to mobile app retries", "mitigate", "mobile-team"),
                    ("Cache recommendation results per session", "prevent", "ml-team")],
        "diagnosis": ["HPA for {svc} at {replicas}/{replicas} replicas",
                      "Pending pods waiting for nodes in {region}",
                      "Traffic source traced to the {event} campaign",
                      "Request rate per pod at twice the tested limit"],
        "commands": ["$ kubectl -n {svc} get hpa\nNAME   REFERENCE   TARGETS   MINPODS   "
                     "MAXPODS   REPLICAS\n{svc}   Deployment/{svc}   182%/70%   6   "
                     "{replicas}   {replicas}",
                     "$ kubectl get pods -A --field-selector=status.phase=Pending | wc -l\n"
                     "{waiting}"],
    },
    {
        "category": "infrastructure",
        "flags": {"production": 0.8, "data_loss": 0.1, "security": 0.0,
                  "users_blocked": 0.4, "correctness": 0.3},
        "fix": ["workaround", "full-fix", "hotfix"],
        "tags": ["disk", "logging", "storage", "infrastructure"],
        "titles": ["Disk full on {svc} hosts",
                   "{svc_cap} stopped writing after its volume filled",
                   "Log volume filled the disks of {svc}"],
        "trigger": ["the data volume of `{host}` reached 100%",
                    "debug logging left on in {svc} filled the log volume",
                    "a compaction job of {svc} stalled and its disk filled"],
        "symptom": ["{svc} rejected writes",
                    "{svc} stopped accepting new sessions",
                    "{svc} served stale data while writes failed"],
        "mitigation": ["expanding the volume and rotating the logs",
                       "moving the log files to object storage",
                       "restarting the compaction job with more space"],
        "proximate": ["The volume of `{host}` was full.",
                      "Log rotation was configured by size on one host group only."],
        "root": ["Disk usage growth was not forecast, and the volume size had been fixed at "
                 "provisioning time.",
                 "Debug logging can be turned on at runtime and nothing turns it off again."],
        "systemic": ["Volumes are sized at provisioning and never revisited.",
                     "Runtime debug switches have no expiry."],
        "detect_gap": ["The disk alert threshold was 98%, leaving minutes to react.",
                       "Disk alerts went to a channel shared with many noisy alerts."],
        "factors": ["Traffic on {svc} grew by half in the last year.",
                    "Debug logging had been turned on during an earlier investigation.",
                    "The disk alert shares a channel with low-priority alerts.",
                    "The volume cannot be expanded online on this instance type.",
                    "Log rotation keeps 30 days of uncompressed files."],
        "prevention": ["Disk usage is forecast weekly and alerts fire at 80%.",
                       "Runtime debug logging switches off automatically after 24 hours.",
                       "Logs are shipped to object storage and kept locally for 2 days.",
                       "Volumes use a type that can be expanded online."],
        "actions": [("Alert at 80% disk usage with a forecast of the time to full", "detect",
                     "sre-team"),
                    ("Expire runtime debug logging after 24 hours", "prevent",
                     "platform-team"),
                    ("Ship {svc} logs to object storage and keep 2 days locally", "prevent",
                     "platform-team"),
                    ("Move {svc} volumes to an online-expandable type", "mitigate",
                     "platform-team"),
                    ("Split low-priority alerts into their own channel", "process",
                     "sre-team")],
        "diagnosis": ["`df -h` on `{host}` shows 100% on `/var/lib/{svc}`",
                      "Largest directory is the debug log folder",
                      "Write errors `ENOSPC` in the service log",
                      "Compaction job stuck since the previous night"],
        "commands": ["$ df -h /var/lib/{svc}\nFilesystem  Size  Used Avail Use% Mounted on\n"
                     "/dev/nvme1n1  500G  500G     0 100% /var/lib/{svc}",
                     "$ du -sh /var/log/{svc}/* | sort -h | tail -2\n"
                     "41G /var/log/{svc}/debug\n212G /var/log/{svc}/archive"],
    },
    {
        "category": "third-party",
        "flags": {"production": 0.95, "data_loss": 0.0, "security": 0.0,
                  "users_blocked": 0.6, "correctness": 0.2},
        "fix": ["workaround", "full-fix"],
        "tags": ["third-party", "vendor", "payments", "degradation"],
        "titles": ["{vendor} degradation affected {svc}",
                   "{svc_cap} errors during a {vendor} incident",
                   "{vendor} outage slowed {svc}"],
        "trigger": ["{vendor} began returning errors to {svc}",
                    "the {vendor} API in {region} degraded",
                    "{vendor} rate-limited requests from {svc}"],
        "symptom": ["{pct}% of {svc} calls to {vendor} failed",
                    "{svc} requests waited on {vendor} until they timed out",
                    "{svc} held orders in a pending state"],
        "mitigation": ["switching to the secondary provider",
                       "queueing requests for later processing",
                       "lowering the concurrency of calls to {vendor}"],
        "proximate": ["{vendor} returned HTTP 503 for {pct}% of requests.",
                      "The circuit breaker for {vendor} was configured with a 60-second "
                      "timeout."],
        "root": ["{svc} depends on a single provider and the failover path to the secondary "
                 "was never automated.",
                 "Calls to {vendor} were synchronous in the request path, so its latency "
                 "became ours."],
        "systemic": ["Vendor dependencies have no documented degradation mode.",
                     "The vendor's status feed is not connected to our alerting."],
        "detect_gap": ["The vendor's status page reported the issue 20 minutes after our "
                       "first errors.",
                       "Our alert measured total errors, which the retries kept low."],
        "factors": ["The secondary provider had been configured but not tested in a year.",
                    "Retries against {vendor} multiplied the request rate.",
                    "The vendor contract has no latency commitment.",
                    "The vendor status page lagged behind the real state.",
                    "Timeouts towards {vendor} were longer than our own request timeout."],
        "prevention": ["Failover to the secondary provider is automated and tested monthly.",
                       "Calls to {vendor} go through a queue outside the request path.",
                       "The circuit breaker opens after 5 seconds of errors.",
                       "The vendor status feed posts to the incident channel."],
        "actions": [("Automate failover from {vendor} to the secondary provider", "prevent",
                     "payments-team"),
                    ("Test the secondary provider path every month", "process",
                     "payments-team"),
                    ("Open the {vendor} circuit breaker after 5 seconds of errors", "mitigate",
                     "sre-team"),
                    ("Post the vendor status feed to the incident channel", "detect",
                     "sre-team")],
        "diagnosis": ["Errors limited to calls to {vendor}",
                      "{vendor} status page confirms a regional degradation",
                      "Retry rate towards {vendor} at three times normal",
                      "Secondary provider credentials confirmed valid"],
        "commands": ["$ curl -s -o /dev/null -w '%{{http_code}} %{{time_total}}\\n' "
                     "https://api.{vendor_slug}.example/health\n503 30.001",
                     "$ kubectl -n {svc} set env deploy/{svc} PROVIDER=secondary\n"
                     "deployment.apps/{svc} env updated"],
    },
    {
        "category": "data-integrity",
        "flags": {"production": 0.9, "data_loss": 0.35, "security": 0.0,
                  "users_blocked": 0.2, "correctness": 0.9},
        "fix": ["full-fix", "hotfix"],
        "tags": ["migration", "data", "backfill", "schema"],
        "titles": ["Migration dropped {field} values in {svc}",
                   "Backfill wrote inaccurate {field} values to {svc}",
                   "{svc_cap} data inconsistent after a schema migration"],
        "trigger": ["a schema migration of {svc} rewrote the `{field}` column",
                    "a backfill job for {svc} read timestamps as local time",
                    "a migration of {svc} ran while writes were still in flight"],
        "symptom": ["{svc} returned empty `{field}` values for {rows} records",
                    "{svc} showed inaccurate `{field}` values to customers",
                    "downstream reports from {svc} disagreed with the ledger"],
        "mitigation": ["pausing the job and restoring the column from a snapshot",
                       "re-running the migration on a copy and swapping tables",
                       "replaying the affected events"],
        "proximate": ["The migration cast `{field}` to a narrower type and truncated values.",
                      "The backfill read timestamps as local time."],
        "root": ["Migrations are tested against an empty schema, not against production-like "
                 "data.",
                 "The migration tool has no dry-run that reports changed rows."],
        "systemic": ["Data migrations share the review process of code changes, without a "
                     "data check.",
                     "There is no reconciliation between {svc} and the source of truth."],
        "detect_gap": ["No check compares row counts and checksums before and after a "
                       "migration.",
                       "The reconciliation job runs weekly."],
        "factors": ["The staging database holds a small synthetic dataset.",
                    "The migration ran during business hours to meet a release date.",
                    "The column had no constraint that would have rejected the values.",
                    "The reconciliation job runs weekly.",
                    "Snapshots are taken nightly, so the restore lost a few hours of writes."],
        "prevention": ["Migrations run first against a masked copy of production data.",
                       "A migration dry-run reports the number of changed rows.",
                       "Row counts and checksums are compared after each migration.",
                       "Reconciliation between {svc} and the ledger runs hourly."],
        "actions": [("Run migrations against a masked copy of production first", "prevent",
                     "data-team"),
                    ("Report changed rows in a migration dry-run", "prevent", "data-team"),
                    ("Compare row counts and checksums after each migration", "detect",
                     "db-team"),
                    ("Reconcile {svc} with the ledger every hour", "detect", "finance-eng"),
                    ("Take snapshots before every migration", "mitigate", "db-team")],
        "diagnosis": ["Row count of `{field}` not null dropped by {rows}",
                      "Migration log shows the type change",
                      "Sample of affected rows compared with the snapshot",
                      "Downstream report discrepancy confirmed by finance"],
        "commands": ["$ psql -Atc \"SELECT count(*) FROM {svc_table} WHERE {field} IS NULL;\"\n"
                     "{rows}",
                     "$ ./manage.py showmigrations {svc_table} | tail -2\n [X] 0041_widen\n"
                     " [X] 0042_cast_{field}"],
    },
    {
        "category": "security",
        "flags": {"production": 0.7, "data_loss": 0.05, "security": 0.95,
                  "users_blocked": 0.1, "correctness": 0.05},
        "fix": ["full-fix", "hotfix"],
        "tags": ["security", "secrets", "credential-rotation", "logging"],
        "titles": ["{svc_cap} credential exposed in build logs",
                   "API token of {svc} visible in a log stream",
                   "Service credential of {svc} exposed to a broad audience"],
        "trigger": ["a CI job printed the {svc} API token in its log",
                    "a debug endpoint of {svc} returned environment variables",
                    "a log statement in {svc} included the authorisation header"],
        "symptom": ["a live credential was readable by everyone with CI access",
                    "the {svc} token was stored in the central log index",
                    "the credential was visible in the log aggregator for {days} days"],
        "mitigation": ["revoking and rotating the credential",
                       "purging the affected logs and rotating the token",
                       "disabling the endpoint and rotating every credential it exposed"],
        "proximate": ["Shell tracing printed the token when the job exported it.",
                      "The log formatter serialised request headers in full."],
        "root": ["Secrets fetched at runtime were not registered with the log masker.",
                 "The logging library has no deny-list for sensitive fields."],
        "systemic": ["Long-lived credentials are used where short-lived ones would do.",
                     "Nothing scans logs for secrets before they are stored."],
        "detect_gap": ["The exposure surfaced only in an audit.",
                       "No scanner inspects logs at upload time."],
        "factors": ["A shared CI library release enabled shell tracing for all jobs.",
                    "The token had a validity of one year.",
                    "Log retention was 90 days, so the exposure window was long.",
                    "CI logs are readable by every engineer.",
                    "The debug endpoint was enabled by a default flag."],
        "prevention": ["Every runtime secret is registered with the log masker.",
                       "Logs are scanned for secrets at upload and quarantined on a match.",
                       "Credentials for CI are short-lived and issued through OIDC.",
                       "Debug endpoints are disabled by default in production builds."],
        "actions": [("Revoke the exposed credential and issue a replacement", "mitigate",
                     "security-team"),
                    ("Register runtime secrets with the CI log masker", "prevent",
                     "platform-team"),
                    ("Scan logs for secrets at upload time", "detect", "security-team"),
                    ("Replace long-lived CI credentials with OIDC-issued tokens", "prevent",
                     "security-team"),
                    ("Disable debug endpoints in production builds", "prevent",
                     "identity-team")],
        "diagnosis": ["Token found in the log of job `{job}`",
                      "Access logs checked for use of the token",
                      "Token scope confirmed as read and write",
                      "Affected log streams identified"],
        "commands": ["$ vault token revoke -accessor {accessor}\nSuccess! Revoked token",
                     "$ gh run list --workflow {job}.yml --limit 3 --json databaseId,conclusion"],
    },
    {
        "category": "monitoring-gap",
        "flags": {"production": 0.6, "data_loss": 0.1, "security": 0.0,
                  "users_blocked": 0.1, "correctness": 0.7},
        "fix": ["full-fix", "workaround"],
        "tags": ["monitoring", "batch-jobs", "alerting", "silent-failure"],
        "titles": ["{job} job failed silently for {days} days",
                   "{svc_cap} exports stopped without an alert",
                   "Stale {svc} data after a silent job failure"],
        "trigger": ["the `{job}` job of {svc} began exiting early without an error code",
                    "the `{job}` job stopped producing output after a scheduler change",
                    "the `{job}` job of {svc} hung on a lock and never finished"],
        "symptom": ["{svc} served data that was {days} days old",
                    "reports built from {svc} showed no new records",
                    "{svc2} read stale values from {svc}"],
        "mitigation": ["re-running the job by hand and backfilling",
                       "releasing the lock and restarting the job",
                       "restoring the previous scheduler configuration"],
        "proximate": ["The job exited with status 0 after reading no input.",
                      "The scheduler change moved the job to a queue without workers."],
        "root": ["The job reported success by exit code only, and an empty run looked the "
                 "same as a successful one.",
                 "Batch jobs have no freshness check on their output."],
        "systemic": ["Monitoring covers services, not the data they produce.",
                     "Batch jobs have no common health contract."],
        "detect_gap": ["No alert watches the freshness of the job's output.",
                       "The job dashboard showed green because every run exited with 0."],
        "factors": ["The input location moved during a storage migration.",
                    "The job is owned by a team that was reorganised.",
                    "The dashboard shows run status, not output size.",
                    "Consumers of the data cache it for a week.",
                    "The job's alerts were silenced during the migration and not restored."],
        "prevention": ["Every batch job reports its output size and last success time.",
                       "A freshness alert fires when data is older than its contract.",
                       "Silences on alerts expire after 24 hours.",
                       "Each job has an owner recorded in the service catalogue."],
        "actions": [("Alert when {svc} data is older than its freshness contract", "detect",
                     "data-team"),
                    ("Report output size and last success for every batch job", "detect",
                     "data-team"),
                    ("Expire alert silences after 24 hours", "process", "sre-team"),
                    ("Record an owner for every batch job in the service catalogue",
                     "process", "sre-team"),
                    ("Fail the job when it reads no input", "prevent", "data-team")],
        "diagnosis": ["Last non-empty output of `{job}` found {days} days back",
                      "Job exits with 0 after reading zero rows",
                      "Input path changed during the storage migration",
                      "Silence on the job alert still active"],
        "commands": ["$ kubectl -n batch get cronjob {job} -o jsonpath='{{.status."
                     "lastSuccessfulTime}}'\n{cert_date}",
                     "$ aws s3 ls s3://basketly-{svc}-exports/ | tail -2"],
    },
    {
        "category": "deployment",
        "flags": {"production": 0.9, "data_loss": 0.0, "security": 0.0,
                  "users_blocked": 0.6, "correctness": 0.3},
        "fix": ["revert", "full-fix"],
        "tags": ["deployment", "rollout", "configuration", "multi-region"],
        "titles": ["Configuration rollout reached all regions of {svc} at once",
                   "{svc_cap} {verb} after a simultaneous rollout",
                   "Rollout of {svc} skipped the canary stage"],
        "trigger": ["a configuration change for {svc} rolled out to every region in one step",
                    "the pipeline promoted a {svc} build past the canary stage",
                    "a rollout of {svc} replaced all pods at once"],
        "symptom": ["{svc} was unavailable in every region",
                    "{svc} crashed on start with the new configuration",
                    "{pct}% of {svc} pods failed readiness checks"],
        "mitigation": ["reverting the configuration",
                       "rolling back the deployment region by region",
                       "restoring the previous rollout strategy"],
        "proximate": ["The rollout strategy for configuration changes was a single stage.",
                      "The canary stage was marked optional in the pipeline template."],
        "root": ["Configuration changes followed a different pipeline from code changes, "
                 "with no staged rollout.",
                 "The pipeline template allowed the canary stage to be skipped."],
        "systemic": ["Pipelines are copied between services and drift apart.",
                     "Rollout policy is not enforced centrally."],
        "detect_gap": ["Readiness failures alert only after ten minutes.",
                       "The pipeline reports success once pods are scheduled."],
        "factors": ["The configuration format changed in the same release.",
                    "The pipeline template had been copied from a service without regions.",
                    "Rollbacks of configuration need a manual step.",
                    "Readiness alerts have a ten-minute delay.",
                    "The change landed during a busy release window."],
        "prevention": ["Configuration changes roll out region by region with a bake time.",
                       "The canary stage cannot be skipped for production.",
                       "Configuration is validated against its schema before rollout.",
                       "Pipelines are generated from one shared template."],
        "actions": [("Roll out configuration changes region by region with a bake time",
                     "prevent", "platform-team"),
                    ("Make the canary stage mandatory for production", "prevent",
                     "platform-team"),
                    ("Validate configuration against its schema before rollout", "prevent",
                     "platform-team"),
                    ("Alert on readiness failures after two minutes", "detect", "sre-team"),
                    ("Generate service pipelines from one shared template", "process",
                     "platform-team")],
        "diagnosis": ["All regions fail at the same minute",
                      "Pods crash with a configuration parse message",
                      "Pipeline run shows a single rollout stage",
                      "Canary stage reported as skipped"],
        "commands": ["$ argocd app history {svc}-prod | tail -2",
                     "$ kubectl -n {svc} get pods | grep -c CrashLoopBackOff\n{replicas}"],
    },
    {
        "category": "code-change",
        "flags": {"production": 0.9, "data_loss": 0.0, "security": 0.0,
                  "users_blocked": 0.1, "correctness": 0.95},
        "fix": ["hotfix", "full-fix"],
        "tags": ["time-zones", "dst", "dates", "correctness"],
        "titles": ["{svc_cap} times one hour off after the clock change",
                   "Daylight saving change shifted {svc} values",
                   "{svc_cap} showed inaccurate times after DST"],
        "trigger": ["the clocks changed to summer time and {svc} kept a fixed UTC offset",
                    "the daylight saving transition reached {svc}",
                    "{svc} computed local times with a cached offset across the clock change"],
        "symptom": ["{svc} showed times one hour early",
                    "{svc} scheduled slots an hour off",
                    "{svc} grouped records into the previous day"],
        "mitigation": ["restarting {svc} to refresh the offset",
                       "deploying a fix that reads the zone from the tz database",
                       "correcting the affected records with a script"],
        "proximate": ["{svc} stored a fixed offset instead of a time zone name.",
                      "The offset was cached at process start."],
        "root": ["Time handling in {svc} used fixed offsets, and no test covers a DST "
                 "transition.",
                 "Dates were computed with a local helper instead of the tz database."],
        "systemic": ["There is no shared library for time handling.",
                     "DST transitions are not part of the test calendar."],
        "detect_gap": ["No check compares displayed times with the reference clock.",
                       "The clock change fell on a low-traffic night."],
        "factors": ["The helper predates the move to multiple countries.",
                    "Tests run in UTC only.",
                    "The cache of the offset lives for the lifetime of the process.",
                    "The clock change happened on a weekend.",
                    "Support first saw the reports as individual complaints."],
        "prevention": ["All services use the shared time library with tz database names.",
                       "Tests run in several time zones, including across DST transitions.",
                       "A synthetic check compares displayed times with a reference clock.",
                       "DST dates are on the operations calendar."],
        "actions": [("Replace fixed offsets in {svc} with tz database names", "prevent",
                     "delivery-team"),
                    ("Run the test suite in three time zones across DST", "prevent",
                     "delivery-team"),
                    ("Add a synthetic check of displayed times", "detect", "sre-team"),
                    ("Put DST transitions on the operations calendar", "process",
                     "sre-team")],
        "diagnosis": ["Displayed times exactly one hour off",
                      "Offset cached since process start",
                      "Only processes started before the change affected",
                      "Reports from support clustered after the clock change"],
        "commands": ["$ TZ=Europe/Amsterdam date -d '{cert_date}'",
                     "$ kubectl -n {svc} rollout restart deploy/{svc}\n"
                     "deployment.apps/{svc} restarted"],
    },
    {
        "category": "capacity",
        "flags": {"production": 0.9, "data_loss": 0.0, "security": 0.0,
                  "users_blocked": 0.4, "correctness": 0.2},
        "fix": ["workaround", "full-fix"],
        "tags": ["kafka", "queue", "consumer-lag", "backlog"],
        "titles": ["{svc_cap} consumer lag after a partition rebalance",
                   "Event backlog delayed {svc}",
                   "{svc_cap} processed events hours late"],
        "trigger": ["consumers of {svc} entered a rebalance loop",
                    "a burst of events from {svc2} outpaced the {svc} consumers",
                    "a slow partition stalled the {svc} consumer group"],
        "symptom": ["{svc} processed events with a delay of up to {lag} minutes",
                    "customers received {svc} updates hours late",
                    "{svc} showed outdated states"],
        "mitigation": ["scaling the consumer group and pinning assignments",
                       "skipping the poison message and replaying it later",
                       "raising the session timeout of the consumers"],
        "proximate": ["Consumers exceeded the poll interval and were evicted.",
                      "One partition held a message that failed on every attempt."],
        "root": ["The consumer processed batches synchronously, so one slow call stalled a "
                 "partition.",
                 "Failed messages were retried in place, blocking the partition."],
        "systemic": ["There is no dead-letter queue convention for event consumers.",
                     "Consumer lag is not part of the service level objectives."],
        "detect_gap": ["The lag alert fired only after 30 minutes.",
                       "Lag was measured per group, hiding one stuck partition."],
        "factors": ["The event volume from {svc2} doubled after a product launch.",
                    "The consumer library default poll interval was unchanged.",
                    "Partitions are unevenly sized.",
                    "Lag alerts are aggregated per consumer group.",
                    "A downstream call in the handler had no timeout."],
        "prevention": ["Failed messages go to a dead-letter topic after three attempts.",
                       "Lag is alerted per partition within 5 minutes.",
                       "Handlers call downstream services with a timeout.",
                       "Consumer lag is part of the service level objective of {svc}."],
        "actions": [("Send failed messages to a dead-letter topic after three attempts",
                     "prevent", "platform-team"),
                    ("Alert on lag per partition within 5 minutes", "detect", "sre-team"),
                    ("Add timeouts to downstream calls in the {svc} handler", "prevent",
                     "notifications-team"),
                    ("Add consumer lag to the {svc} service level objective", "process",
                     "sre-team")],
        "diagnosis": ["Lag concentrated on partition {partition}",
                      "Consumer logs show repeated rebalances",
                      "One message fails on every attempt",
                      "Handler blocked on a downstream call"],
        "commands": ["$ kafka-consumer-groups --bootstrap-server kafka:9092 --describe "
                     "--group {svc}\nTOPIC  PARTITION  LAG\n{svc}.events  {partition}  "
                     "{waiting}",
                     "$ kubectl -n {svc} scale deploy/{svc}-consumer --replicas={replicas}"],
    },
]

VENDORS = ["Payfast", "Swiftpay", "MapGrid", "TextLane", "MailForge", "GeoPoint",
           "RateBridge", "CloudSign"]
EVENTS = ["spring sale", "Black Friday", "holiday", "summer campaign", "launch",
          "newsletter"]
FIELDS = ["delivery_window", "substitution_preference", "unit_price", "postcode",
          "loyalty_tier", "coupon_code", "slot_id", "tax_rate", "currency", "basket_total"]
VERBS = ["degraded", "slowed down", "returned errors", "timed out", "became unavailable"]

SUMMARY_RESPONSE = [
    "The on-call SRE declared a {severity} incident at {det} and opened `#inc-{svc}`; the "
    "incident commander coordinated the response from there, with the owners of {svc2} "
    "joining once the dependency was clear.",
    "Diagnosis took most of the response time: the first hypothesis pointed at {svc2}, and "
    "the dashboards needed {ticket_window} minutes to rule it out before the real cause in "
    "{svc} became visible.",
    "The response followed the {svc} runbook for the first steps, which bought time; the "
    "runbook did not cover this failure mode, so the later steps were worked out in the "
    "incident channel and recorded in the timeline below.",
    "Support received a holding reply within 15 minutes, and the status page carried updates "
    "every 30 minutes until the incident was resolved.",
]
IMPACT_CLOSE = [
    "The incident used about {pct}% of the quarterly error budget of {svc}. The figures above "
    "come from the request logs and the order database; support ticket counts are from the "
    "support dashboard.",
    "Customer impact was concentrated in the first {ticket_window} minutes, when traffic was "
    "highest. Figures are taken from the load balancer logs and checked against the order "
    "database.",
    "No contractual service level was breached, but the internal objective for {svc} was "
    "missed for the month.",
    "Finance confirmed the order figures the following week; the estimate of lost orders "
    "compares the window with the same weekday of the previous four weeks.",
]
ROOT_PROSE = [
    "The failure needed several conditions at once. {proximate} That alone would have been "
    "visible within minutes, but {detect_gap_lc} The underlying reason is structural: {root_lc}",
    "Looking past the symptom, the chain is short. {proximate} {root} {systemic} None of "
    "these conditions was new; what was new was the combination.",
    "{root} The condition had existed for months before it mattered. {proximate} It became "
    "an incident only when {trigger}.",
]
FACTOR_DETAIL = [
    "This had been discussed at an earlier review and ranked below other work.",
    "The condition is documented, but only in a page that the runbook does not link to.",
    "The same pattern exists in at least two other services.",
    "Dashboards showed the signal, but on a panel that is collapsed by default.",
    "The behaviour is the library default and had never been set explicitly.",
    "The gap had been accepted as a known risk when the service was smaller.",
    "Load tests do not cover this path.",
    "The relevant alert was routed to a shared channel with a high volume of messages.",
]
PREVENTION_DETAIL = [
    "This is in place and verified in production.",
    "The change is tracked in the action items above and due this quarter.",
    "This has been tested in a game day against a production-like environment.",
    "The check runs in CI for every service that uses the shared template.",
]
DETECTION_RESPONSE = [
    "Detection took {detect_delay} from the first impact. {detect_gap} Once the "
    "signal arrived, the response moved quickly: the incident was declared within minutes "
    "and containment followed at {cont}.",
    "The first signal came {detect_delay} after the first impact. The alert linked "
    "to the right dashboard, which shortened the diagnosis. {detect_gap}",
    "The response team had the relevant access and runbooks. {detect_gap} The mitigation was "
    "reversible, which made it easy to decide on: {mitigation_short}.",
]

TIMELINE_DETECT_BY = {
    "monitoring": ["`{alert}` fires", "`{alert}` pages the on-call SRE",
                   "Error-rate alert `{alert}` fires for {svc}"],
    "user-report": ["First customer report reaches support",
                    "Support escalates a cluster of tickets to the on-call SRE",
                    "Partner reports errors through the partner channel"],
    "failed-run": ["Failed `{job}` run reported", "`{job}` run fails and opens a ticket"],
    "audit": ["Audit finding raised for {svc}", "Scheduled audit flags the condition"],
    "routine-check": ["Routine check shows the anomaly", "Weekly health review flags {svc}"],
}
COMMUNICATION = [
    "The status page showed a degraded state for {svc} from {det} to {res}, with updates "
    "every 30 minutes. Support used a prepared reply for tickets about the symptom and "
    "offered a delivery credit to customers whose orders were delayed by more than an hour.",
    "Partners received an email summary the next morning with the time window, the affected "
    "endpoints and the advice to retry failed requests. The account team followed up with "
    "the {partners} partners that opened tickets.",
    "An internal update went to the operations channel at {cont} and again at {res}. "
    "Customer-facing teams received a short explanation and the list of affected orders for "
    "follow-up.",
]
SUPPORTING = [
    "- Dashboard: `{svc}-golden-signals`, panels for error rate, latency and saturation.",
    "- Incident channel export: `#inc-{svc}`, attached to the ticket.",
    "- Alert history for `{alert}` over the last 90 days.",
    "- Deploy log `{deploy_id}` and the change record `ops-changes#{change}`.",
    "- Trace `{trace}` showing the slow path end to end.",
    "- Support ticket volume report for the incident window.",
]

ACTION_SUFFIX = [
    ", starting with {svc}", " and record the result in the {svc} runbook",
    ", covering {svc} and {svc2}", " before the next {event} campaign",
    " and report progress at the monthly reliability review", " in {region} first",
]
GENERIC_COMMANDS = [
    "$ kubectl -n {svc} get pods -o wide | head -5\n"
    "NAME                      READY   STATUS    RESTARTS   AGE   NODE\n"
    "{svc}-7d9f8c6b5-2xkqp     1/1     Running   0          41m   ip-10-20-4-11\n"
    "{svc}-7d9f8c6b5-8hj2m     1/1     Running   3          41m   ip-10-20-5-12\n"
    "{svc}-7d9f8c6b5-c4n7w     0/1     Running   5          41m   ip-10-20-6-13\n"
    "{svc}-7d9f8c6b5-vq9lt     1/1     Running   0          41m   ip-10-20-4-14",
    "$ kubectl -n {svc} logs deploy/{svc} --since=15m | grep -c ' 503 '\n{waiting}\n"
    "$ kubectl -n {svc} logs deploy/{svc} --since=15m | grep ' 503 ' | tail -2\n"
    "{start}:41Z INFO  request path=/api/v2/{field} status=503 duration_ms={latency}\n"
    "{start}:42Z INFO  request path=/api/v2/{field} status=503 duration_ms={latency}",
    "$ curl -s https://{svc}.internal.basketly.example/healthz | jq .\n{{\n"
    "  \"status\": \"degraded\",\n  \"checks\": {{\n    \"database\": \"ok\",\n"
    "    \"{svc2}\": \"timeout\",\n    \"cache\": \"ok\"\n  }}\n}}",
    "$ promtool query instant http://prometheus:9090 \\\n"
    "    'sum(rate(http_requests_total{{service=\"{svc}\",code=~\"5..\"}}[5m]))'\n"
    "{{service=\"{svc}\"}} => {peak}.4 @[{partition}]",
    "$ aws cloudwatch get-metric-statistics --namespace AWS/ApplicationELB \\\n"
    "    --metric-name {metric} --statistics Sum --period 300 \\\n"
    "    --dimensions Name=LoadBalancer,Value=app/{svc}-prod/{accessor} \\\n"
    "    --start-time {stamp_start} --end-time {stamp_cont} --query 'Datapoints[].Sum'\n"
    "[{waiting}.0, {failed_plain}.0, {lost}.0]",
    "$ git log --oneline -5 -- deploy/{svc}/\n{deploy_short} Raise replicas for {svc}\n"
    "9c1e2f4 Pin {svc2} client version\n5b7a0d3 Move {svc} alerts to the new channel\n"
    "e4d2c91 Enable structured logging\n1a8f6b2 Bump base image",
]

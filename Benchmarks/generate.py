#!/usr/bin/env python3

"""Writes a rule file with N resources (alternating VirtualService / DestinationRule, realistic sizes).

With --cluster, what a cluster holds per service: a Kubernetes Service, a Deployment, a
DestinationRule and a VirtualService; every tenth service also has a Gateway (with its own
workload, Service and RequestAuthentication) that a second VirtualService binds to, so the
gateway, workload, visibility and JWT analyzers all have work.

With --registry, a ServiceEntry, DestinationRule and VirtualService per service, so analysis
finds the hosts and subsets (what a real rule set looks like).

With --prefix-rules, one VirtualService with N rules, each matching its own URI prefix
(/route-0/, /route-1/, ...: none covers another); with --overlapping-prefix-rules the prefixes
are /p0, /p1, ... so /p1 covers /p10../p19, /p100.. and analyze reports each covered rule.

Other shapes of the same N resources (alternating VirtualService / DestinationRule), written the
ways real rule sets are written, so the load path is measured on input this script's default does
not favour:
  --flow          flow style throughout (`{name: v1, labels: {version: v1}}`, `[a, b]`), with a
                  distinct header regex per VirtualService;
  --regex         block style with a distinct regex per rule (URI, headers, query parameters);
  --anchors       anchors, aliases and merge keys (`<<: *defaults`) inside every resource;
  --long-strings  large header values and direct-response bodies (a few KB each)."""
import random
import sys

def virtual_service(i, rnd):
    host = f"svc-{i}"
    rules = []
    for r in range(rnd.randint(1, 2)):
        rules.append(f"""  - name: rule-{r}
    match:
    - headers:
        x-user-group:
          prefix: "group-{r}"
      uri:
        prefix: /api/v{r}
    route:
    - destination:
        host: {host}
        subset: v1
      weight: {90 - r * 10}
    - destination:
        host: {host}
        subset: v2
      weight: {10 + r * 10}
    retries:
      attempts: 3
      perTryTimeout: 500ms
      retryOn: 5xx,connect-failure
    timeout: 2s""")
    rules.append(f"""  - route:
    - destination:
        host: {host}
        subset: v1""")
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {host}
  namespace: bench
spec:
  hosts:
  - {host}
  http:
""" + "\n".join(rules) + "\n"

def destination_rule(i, rnd):
    host = f"svc-{i}"
    return f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {host}
  namespace: bench
spec:
  host: {host}
  trafficPolicy:
    loadBalancer:
      simple: LEAST_REQUEST
    connectionPool:
      tcp:
        maxConnections: {rnd.randint(10, 1000)}
      http:
        http1MaxPendingRequests: 100
        maxRequestsPerConnection: 10
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
"""

def service_entry(i, rnd):
    host = f"svc-{i}"
    return f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {host}
  namespace: bench
spec:
  hosts:
  - {host}.bench.svc.cluster.local
  ports:
  - number: 80
    name: http
    protocol: HTTP
  resolution: STATIC
  endpoints:
  - address: 10.0.{i // 250 % 250}.{i % 250 + 1}
    labels:
      version: v1
  - address: 10.1.{i // 250 % 250}.{i % 250 + 1}
    labels:
      version: v2
"""

def prefix_rules(count, prefix):
    rules = "".join(f"  - match: [{{uri: {{prefix: {prefix(i)}}}}}]\n    route: [{{destination: {{host: big}}}}]\n"
                    for i in range(count))
    return """apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: big}
spec:
  hosts: [big.default.svc.cluster.local]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: big}
spec:
  hosts: [big]
  http:
""" + rules

def flow_virtual_service(i, rnd):
    host = f"svc-{i}"
    rules = []
    for r in range(rnd.randint(1, 2)):
        rules.append(
            f"{{name: rule-{r}, match: [{{headers: {{x-user-group: {{regex: \"group-{i}-{r}-(alpha|beta)[0-9]*\"}}}}, "
            f"uri: {{prefix: /api/v{r}}}}}], route: [{{destination: {{host: {host}, subset: v1}}, weight: {90 - r * 10}}}, "
            f"{{destination: {{host: {host}, subset: v2}}, weight: {10 + r * 10}}}], "
            f"retries: {{attempts: 3, perTryTimeout: 500ms, retryOn: \"5xx,connect-failure\"}}, timeout: 2s}}")
    rules.append(f"{{route: [{{destination: {{host: {host}, subset: v1}}}}]}}")
    return (f"{{apiVersion: networking.istio.io/v1, kind: VirtualService, metadata: {{name: {host}, namespace: bench}}, "
            f"spec: {{hosts: [{host}], http: [{', '.join(rules)}]}}}}\n")

def flow_destination_rule(i, rnd):
    host = f"svc-{i}"
    return (f"{{apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {{name: {host}, namespace: bench}}, "
            f"spec: {{host: {host}, trafficPolicy: {{loadBalancer: {{simple: LEAST_REQUEST}}, "
            f"connectionPool: {{tcp: {{maxConnections: {rnd.randint(10, 1000)}}}, "
            f"http: {{http1MaxPendingRequests: 100, maxRequestsPerConnection: 10}}}}, "
            f"outlierDetection: {{consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}}}}, "
            f"subsets: [{{name: v1, labels: {{version: v1}}}}, {{name: v2, labels: {{version: v2}}}}]}}}}\n")

def regex_virtual_service(i, rnd):
    host = f"svc-{i}"
    rules = []
    for r in range(rnd.randint(2, 3)):
        rules.append(f"""  - name: rule-{r}
    match:
    - uri:
        regex: "/api/v{r}/tenant-{i}/[a-z]+/(orders|items)/[0-9]{{1,8}}"
      headers:
        x-user-group:
          regex: "group-{i}-{r}-(alpha|beta|gamma)[0-9]*"
        user-agent:
          regex: ".*(Chrome|Firefox)/{i % 97 + r}[.][0-9]+.*"
      queryParams:
        tenant:
          regex: "t{i}-[a-f0-9]{{4,12}}"
    route:
    - destination:
        host: {host}
        subset: v1
      weight: {90 - r * 10}
    - destination:
        host: {host}
        subset: v2
      weight: {10 + r * 10}""")
    rules.append(f"""  - route:
    - destination:
        host: {host}
        subset: v1""")
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {host}
  namespace: bench
spec:
  hosts:
  - {host}
  http:
""" + "\n".join(rules) + "\n"

def anchored_virtual_service(i, rnd):
    host = f"svc-{i}"
    rules = [f"""  - name: rule-0
    match:
    - headers: &match-headers
        x-user-group:
          prefix: "group-0"
      uri:
        prefix: /api/v0
    route: &split
    - destination: &v1
        host: {host}
        subset: v1
      weight: 90
    - destination: &v2
        host: {host}
        subset: v2
      weight: 10
    retries: &retries
      attempts: 3
      perTryTimeout: 500ms
      retryOn: 5xx,connect-failure
    timeout: &timeout 2s"""]
    for r in range(1, rnd.randint(2, 3)):
        rules.append(f"""  - name: rule-{r}
    match:
    - headers: *match-headers
      uri:
        prefix: /api/v{r}
    route: *split
    retries:
      <<: *retries
      attempts: {r + 1}
    timeout: *timeout
    mirror:
      <<: *v2
      subset: v1""")
    rules.append("""  - route:
    - destination: *v1""")
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {host}
  namespace: bench
spec:
  hosts:
  - {host}
  http:
""" + "\n".join(rules) + "\n"

def anchored_destination_rule(i, rnd):
    host = f"svc-{i}"
    return f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {host}
  namespace: bench
  labels: &labels
    app: {host}
    team: bench
spec:
  host: {host}
  trafficPolicy: &policy
    loadBalancer:
      simple: LEAST_REQUEST
    connectionPool: &pool
      tcp:
        maxConnections: {rnd.randint(10, 1000)}
      http:
        http1MaxPendingRequests: 100
        maxRequestsPerConnection: 10
    outlierDetection: &outliers
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
  subsets:
  - name: v1
    labels:
      <<: *labels
      version: v1
  - name: v2
    labels:
      <<: *labels
      version: v2
    trafficPolicy:
      <<: *policy
      outlierDetection:
        <<: *outliers
        consecutive5xxErrors: 3
"""

def long_string_virtual_service(i, rnd):
    host = f"svc-{i}"
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "lambda", "sigma"]
    def text(n):
        return " ".join(rnd.choice(words) for _ in range(n))
    body = "\n".join(f"          {text(10)}" for _ in range(rnd.randint(10, 30)))
    return f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {host}
  namespace: bench
spec:
  hosts:
  - {host}
  http:
  - name: maintenance
    match:
    - uri:
        prefix: /maintenance
    directResponse:
      status: 503
      body:
        string: |
{body}
  - name: main
    headers:
      request:
        set:
          x-forwarded-client-cert: "{text(rnd.randint(30, 90))}"
          x-trace-context: "{text(rnd.randint(20, 60))}"
      response:
        add:
          content-security-policy: "{text(rnd.randint(30, 90))}"
    route:
    - destination:
        host: {host}
        subset: v1
"""

SHAPES = {
    "--flow": (flow_virtual_service, flow_destination_rule),
    "--regex": (regex_virtual_service, destination_rule),
    "--anchors": (anchored_virtual_service, anchored_destination_rule),
    "--long-strings": (long_string_virtual_service, destination_rule),
}

def cluster(i, rnd):
    name = f"svc-{i}"
    ns = f"team-{i % 50}"
    docs = [f"""apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: 80, targetPort: 8080}}]
""", f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}-v1, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, version: v1}}}}
    spec: {{containers: [{{name: app, image: app:1}}]}}
""", f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: {ns}}}
spec:
  host: {name}
  subsets: [{{name: v1, labels: {{version: v1}}}}]
""", f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: {ns}}}
spec:
  hosts: [{name}]
  http:
  - match: [{{uri: {{prefix: /api}}}}]
    route: [{{destination: {{host: {name}, subset: v1}}}}]
  - route: [{{destination: {{host: {name}, subset: v1}}}}]
"""]
    if i % 10 == 0:
        docs += [f"""apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: {name}-gw, namespace: {ns}}}
spec:
  selector: {{gateway: {name}}}
  servers:
  - port: {{number: 8080, name: http, protocol: HTTP}}
    hosts: ["{ns}/{name}.example.com"]
""", f"""apiVersion: v1
kind: Pod
metadata: {{name: {name}-gw-1, namespace: {ns}, labels: {{gateway: {name}}}}}
""", f"""apiVersion: v1
kind: Service
metadata: {{name: {name}-gw, namespace: {ns}}}
spec:
  selector: {{gateway: {name}}}
  ports: [{{name: http, port: 80, targetPort: 8080}}]
""", f"""apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {{name: {name}-jwt, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{gateway: {name}}}}}
  jwtRules: [{{issuer: "https://issuer.example.com"}}]
""", f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}-edge, namespace: {ns}}}
spec:
  hosts: [{name}.example.com]
  gateways: [{name}-gw]
  http:
  - match: [{{headers: {{"@request.auth.claims.group": {{exact: admin}}}}}}]
    route: [{{destination: {{host: {name}, subset: v1}}}}]
"""]
    return docs


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    mode = sys.argv[2] if len(sys.argv) > 2 else ""
    if mode == "--prefix-rules":
        sys.stdout.write(prefix_rules(count, lambda i: f"/route-{i}/"))
        return
    if mode == "--overlapping-prefix-rules":
        sys.stdout.write(prefix_rules(count, lambda i: f"/p{i}"))
        return
    if mode == "--cluster":
        docs = []
        i = 0
        while len(docs) < count:
            docs += cluster(i, None)
            i += 1
        sys.stdout.write("---\n".join(docs[:count]))
        return
    with_registry = mode == "--registry"
    rnd = random.Random(7)
    if mode in SHAPES:
        vs, dr = SHAPES[mode]
        docs = [(vs if i % 2 == 0 else dr)(i // 2, rnd) for i in range(count)]
        sys.stdout.write("---\n".join(docs))
        return
    if with_registry:
        kinds = [service_entry, destination_rule, virtual_service]
        docs = [kinds[i % 3](i // 3, rnd) for i in range(count)]
    else:
        docs = [(virtual_service if i % 2 == 0 else destination_rule)(i // 2, rnd) for i in range(count)]
    sys.stdout.write("---\n".join(docs))

main()

"""An API server that only answers discovery, for `kubectl apply --dry-run=client`
without a cluster (tools/deploy/check). kubectl maps each manifest's kind through
discovery even for a client-side dry run; the objects themselves are answered
404, so each is reported as "created (dry run)". Prints its port, then serves."""
import json, sys, http.server, threading
R = {
  "v1": [("namespaces", "Namespace", False), ("serviceaccounts", "ServiceAccount", True), ("services", "Service", True),
         ("secrets", "Secret", True), ("configmaps", "ConfigMap", True), ("persistentvolumeclaims", "PersistentVolumeClaim", True),
         ("pods", "Pod", True)],
  "apps/v1": [("deployments", "Deployment", True)],
  "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                   ("clusterroles", "ClusterRole", False), ("clusterrolebindings", "ClusterRoleBinding", False)],
}
def reslist(gv):
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": [
        {"name": n, "singularName": "", "namespaced": ns, "kind": k, "verbs": ["get", "list", "create", "patch"]} for n, k, ns in R[gv]]}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, body):
        b = json.dumps(body).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/api": return self.send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
        if p == "/apis":
            groups = [{"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": "v1"}], "preferredVersion": {"groupVersion": gv, "version": "v1"}} for gv in R if "/" in gv]
            return self.send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if p == "/api/v1": return self.send(200, reslist("v1"))
        for gv in R:
            if p == "/apis/" + gv: return self.send(200, reslist(gv))
        self.send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"})
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()

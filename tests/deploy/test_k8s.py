"""deploy/k8s: every manifest valid against the Kubernetes schemas (offline, strict), kustomize builds
it, and the Deployment is what docs/deploy.md promises: 2 replicas, migrations first, probes."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.tools import DEPLOY, run, tool

K8S = DEPLOY / "k8s"
KUBERNETES = "1.30.0"  # the oldest minor still supported when this was written; newer ones accept it too


def kustomization() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    return data


def resources() -> dict[str, dict[str, Any]]:
    """Every resource of the kustomization, by kind."""
    found: dict[str, dict[str, Any]] = {}
    for name in kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")):
            found[doc["kind"]] = doc
    return found


def test_the_kustomization_lists_every_manifest_in_the_directory() -> None:
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization()["resources"]) == files


@pytest.mark.parametrize("name", sorted(path.name for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml"))
def test_manifest_is_valid_against_the_kubernetes_schema(name: str) -> None:
    for doc in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")):
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_schema_check_rejects_a_misplaced_field() -> None:
    deployment = resources()["Deployment"]
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {"httpGet": {"path": "/healthz"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_kustomize_builds_valid_resources() -> None:
    kubectl = tool("kubectl", "the kustomize build of deploy/k8s")
    result = run(kubectl, "kustomize", str(K8S))
    assert result.returncode == 0, result.stderr
    built = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert {doc["kind"] for doc in built} == set(resources())
    for doc in built:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        assert doc["metadata"]["labels"]["app.kubernetes.io/name"] == "confbot"
    images = {
        container["image"]
        for doc in built
        if doc["kind"] == "Deployment"
        for container in doc["spec"]["template"]["spec"]["containers"]
        + doc["spec"]["template"]["spec"]["initContainers"]
    }
    assert images == {f"{kustomization()['images'][0]['newName']}:{kustomization()['images'][0]['newTag']}"}


def test_two_replicas_migrate_before_they_start_and_are_probed() -> None:
    deployment = resources()["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 2
    assert pod["initContainers"][0]["command"] == ["confbot", "db", "upgrade"]
    (bot,) = pod["containers"]
    assert bot["command"] == ["confbot", "run"]
    assert bot["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert bot["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {"cpu", "memory"} <= set(bot["resources"]["requests"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert bot["securityContext"]["readOnlyRootFilesystem"] is True
    # each replica names itself in the replicas table (rate shares), by its pod name
    (replica_id,) = [env for env in bot["env"] if env["name"] == "CONFBOT_REPLICA_ID"]
    assert replica_id["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == str(bot["ports"][0]["containerPort"])


def test_the_pieces_refer_to_each_other_by_the_right_names() -> None:
    found = resources()
    pod = found["Deployment"]["spec"]["template"]
    labels = pod["metadata"]["labels"]
    for kind in ("PodDisruptionBudget", "Service"):
        selector = found[kind]["spec"].get("selector", {})
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= labels.items(), f"the {kind} selects no pod"
    assert found["PodDisruptionBudget"]["spec"]["minAvailable"] < found["Deployment"]["spec"]["replicas"]
    refs = {
        ref.get("secretRef", ref.get("configMapRef", {}))["name"]
        for container in pod["spec"]["containers"] + pod["spec"]["initContainers"]
        for ref in container["envFrom"]
    }
    assert refs == {found["Secret"]["metadata"]["name"], found["ConfigMap"]["metadata"]["name"]}
    assert found["Service"]["spec"]["ports"][0]["targetPort"] == pod["spec"]["containers"][0]["ports"][0]["name"]


def test_the_secret_template_holds_no_real_secret() -> None:
    values = resources()["Secret"]["stringData"].values()
    assert all("REPLACE-ME" in value for value in values)


def test_every_variable_in_the_manifests_is_one_confbot_reads() -> None:
    from tests.deploy.test_env_example import documented

    found = resources()
    names = set(found["ConfigMap"]["data"]) | set(found["Secret"]["stringData"])
    names |= {env["name"] for env in found["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert names <= documented(), sorted(names - documented())

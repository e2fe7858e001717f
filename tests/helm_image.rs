//! `image` on Helm targets: an Argo CD Application with a Helm source is edited where Argo
//! CD reads the value (parameters, then valuesObject) and never gets a kustomize field; a
//! values file or a Flux HelmRelease is scanned as one file; a new tag clears the digest
//! beside it. The render itself is checked against `helm template` in tests/helm/.

use gitops_bump::{set_image, ErrorKind, ImageTarget, SetImageOptions};

fn image(text: &str, spec: &str, file: &str) -> Result<String, gitops_bump::Error> {
    let opts = SetImageOptions {
        target: ImageTarget::Auto,
        file: Some(file.into()),
    };
    set_image(text, spec, &opts).map(|o| o.text)
}

const APP_HEAD: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: redis\nspec:\n  source:\n    repoURL: https://charts.bitnami.com/bitnami\n    chart: redis\n    targetRevision: 18.0.0\n    helm:\n";

#[test]
fn a_parameter_that_names_the_image_is_edited_in_place() {
    let app = format!("{APP_HEAD}      parameters:\n      - name: image.repository\n        value: bitnami/redis\n      - name: image.tag\n        value: \"7.2.3\"\n");
    let got = image(&app, "docker.io/bitnami/redis:7.2.4", "app.yaml").unwrap();
    assert_eq!(got, app.replace("\"7.2.3\"", "\"7.2.4\""));
    assert!(!got.contains("kustomize"));
}

#[test]
fn value_object_takes_the_edit_and_a_new_tag_clears_the_old_digest() {
    let app = format!("{APP_HEAD}      valuesObject:\n        image:\n          repository: bitnami/redis\n          tag: 7.2.3\n          digest: sha256:aaaa\n");
    let got = image(&app, "bitnami/redis:7.2.4", "app.yaml").unwrap();
    assert_eq!(
        got,
        app.replace("tag: 7.2.3", "tag: 7.2.4")
            .replace("digest: sha256:aaaa", "digest: \"\"")
    );
}

#[test]
fn a_parameter_overrides_value_object_so_the_parameter_is_edited() {
    let app = format!("{APP_HEAD}      valuesObject:\n        image:\n          repository: bitnami/redis\n          tag: 7.2.3\n      parameters:\n      - name: image.tag\n        value: 7.2.3\n");
    let got = image(&app, "bitnami/redis:7.2.4", "app.yaml").unwrap();
    assert_eq!(got, app.replace("value: 7.2.3", "value: 7.2.4"));
}

#[test]
fn the_values_string_is_ignored_when_value_object_is_there() {
    // Argo CD passes valuesObject instead of the string, so the string's image is not what
    // renders: nothing names the image, and no kustomize field is added.
    let app = format!("{APP_HEAD}      values: |\n        image:\n          repository: bitnami/redis\n          tag: 7.2.3\n      valuesObject:\n        replica:\n          replicaCount: 1\n");
    let e = image(&app, "bitnami/redis:7.2.4", "app.yaml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotKustomization);
    // With the repository in valuesObject, the tag goes there.
    let app = app.replace(
        "        replica:\n",
        "        image:\n          repository: bitnami/redis\n        replica:\n",
    );
    let got = image(&app, "bitnami/redis:7.2.4", "app.yaml").unwrap();
    assert!(
        got.contains("          repository: bitnami/redis\n          tag: 7.2.4\n        replica:"),
        "{got}"
    );
}

#[test]
fn a_value_only_in_the_values_string_is_refused_with_the_set_path() {
    let app = format!("{APP_HEAD}      values: |\n        image:\n          repository: bitnami/redis\n          tag: 7.2.3\n");
    let e = image(&app, "bitnami/redis:7.2.4", "app.yaml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotKustomization);
    assert!(
        e.message().contains("spec.source.helm.values"),
        "{}",
        e.message()
    );
    assert!(
        e.help()
            .unwrap()
            .contains("spec.source.helm.valuesObject.image.tag"),
        "{:?}",
        e.help()
    );
}

#[test]
fn a_helm_source_without_the_image_is_refused_never_given_kustomize_images() {
    let app =
        format!("{APP_HEAD}      parameters:\n      - name: image.tag\n        value: 7.2.3\n");
    let e = image(&app, "bitnami/redis:7.2.4", "app.yaml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotKustomization);
    assert!(e.message().contains("rejects kustomize fields"));
    assert_eq!(
        e.help(),
        Some("if `image.tag` is this image's tag: gitops-bump set FILE 'spec.source.helm.parameters[name=\"image.tag\"].value' TAG")
    );
    // A multi-source app of a chart and a `ref` source: the same refusal.
    let multi = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  sources:\n  - repoURL: https://charts.bitnami.com/bitnami\n    chart: redis\n    helm:\n      valueFiles:\n      - $values/envs/prod/values.yaml\n  - repoURL: https://git.example.com/config.git\n    ref: values\n";
    let e = image(multi, "bitnami/redis:7.2.4", "app.yaml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotKustomization);
    assert!(!e.help().unwrap().contains("kustomize.images"));
}

#[test]
fn a_values_file_is_scanned_never_given_an_images_block() {
    let values = "# redis\nimage:\n  registry: docker.io\n  repository: bitnami/redis\n  tag: 7.2.3\n  digest: \"\"\nsidecar:\n  image: \"busybox:1.36\"\n";
    let got = image(values, "docker.io/bitnami/redis:7.2.4", "values.yaml").unwrap();
    assert_eq!(got, values.replace("tag: 7.2.3", "tag: 7.2.4"));
    let got = image(values, "busybox:1.37", "values.yaml").unwrap();
    assert_eq!(got, values.replace("busybox:1.36", "busybox:1.37"));
    let e = image(values, "ghcr.io/acme/api:2", "values.yaml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownImage);
    assert!(e
        .found_instead()
        .unwrap()
        .contains("docker.io/bitnami/redis"));
}

#[test]
fn a_helm_release_is_scanned_in_its_values() {
    let hr = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ksm\nspec:\n  values:\n    image:\n      registry: registry.k8s.io\n      repository: kube-state-metrics/kube-state-metrics\n      tag: v2.12.0\n      sha: abcd\n";
    let got = image(
        hr,
        "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0",
        "hr.yaml",
    )
    .unwrap();
    assert_eq!(
        got,
        hr.replace("tag: v2.12.0", "tag: v2.13.0")
            .replace("sha: abcd", "sha: \"\"")
    );
}

#[test]
fn ingress_nginx_shape_takes_a_tag_and_clears_both_digests() {
    let v = "controller:\n  image:\n    registry: registry.k8s.io\n    image: ingress-nginx/controller\n    tag: \"v1.10.0\"\n    digest: sha256:aa\n    digestChroot: sha256:bb\n";
    let got = image(
        v,
        "registry.k8s.io/ingress-nginx/controller:v1.11.0",
        "values.yaml",
    )
    .unwrap();
    assert_eq!(
        got,
        v.replace("\"v1.10.0\"", "\"v1.11.0\"")
            .replace("sha256:aa", "\"\"")
            .replace("sha256:bb", "\"\"")
    );
}

#[test]
fn a_tag_set_names_the_stale_digests_beside_it() {
    use gitops_bump::tag_companions;
    let v = "controller:\n  image:\n    image: ingress-nginx/controller\n    tag: \"v1.10.0\"\n    digest: sha256:aa\n    digestChroot: \"\"\nksm:\n  image:\n    repository: a/b\n    tag: v1\n    sha: cc\nplain:\n  tag: v1\n  digest: sha256:dd\n";
    assert_eq!(
        tag_companions(v, "controller.image.tag", "v1.11.0", None).unwrap(),
        ["controller.image.digest"]
    );
    assert_eq!(
        tag_companions(v, "ksm.image.tag", "v2", None).unwrap(),
        ["ksm.image.sha"]
    );
    // The same tag again keeps the pin; a map that is no image map is left alone.
    assert!(tag_companions(v, "ksm.image.tag", "v1", None)
        .unwrap()
        .is_empty());
    assert!(tag_companions(v, "plain.tag", "v2", None)
        .unwrap()
        .is_empty());
    assert!(tag_companions(v, "controller.image.digest", "x", None)
        .unwrap()
        .is_empty());
}

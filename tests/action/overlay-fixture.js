// A config repository in which the overlay check must follow what kustomize does, for the
// end-to-end runs of the Action (under act) and of the orb's bump job: a patched overlay
// (a strategic-merge patch adds an initContainer, a JSON 6902 patch replaces the api image),
// an overlay with a built-in LabelTransformer (as podinfo's has), an Argo CD Application
// of that overlay, and an overlay with a remote base the check cannot see.

const DEPLOY = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n';

export const OVERLAY_FILES = {
  'base/deploy.yaml': DEPLOY,
  'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
  'overlays/patched/migrate.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: migrate\n        image: ghcr.io/acme/migrate:3.1\n',
  'overlays/patched/kustomization.yaml':
    'resources:\n- ../../base\npatches:\n- path: migrate.yaml\n- target:\n    kind: Deployment\n    name: api\n  patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: registry.acme.io/api:1.0.0\n',
  'overlays/labelled/labels.yaml': 'apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: labels\nlabels:\n  app.kubernetes.io/part-of: shop\nfieldSpecs:\n- path: metadata/labels\n  create: true\n',
  'overlays/labelled/kustomization.yaml': 'resources:\n- ../../base\ntransformers:\n- labels.yaml\n',
  'overlays/remote/kustomization.yaml': 'resources:\n- ../../base\n- https://github.com/acme/shared//worker?ref=v1\n',
  'apps/api.yaml':
    'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api\nspec:\n  source:\n    repoURL: https://github.com/acme/config\n    path: overlays/labelled\n    kustomize:\n      images:\n      - ghcr.io/acme/api:1.0.0\n',
};

/** Edits the check must refuse (each a typo or a name the render no longer has), by target. */
export const REFUSED = [
  { name: 'patch-typo', targets: 'overlays/patched', images: 'ghcr.io/acme/migrat:3.2', hint: /did you mean `ghcr\.io\/acme\/migrate`\?/ },
  { name: 'patch-replaced', targets: 'overlays/patched', images: 'ghcr.io/acme/api:2.0.0', hint: /images `ghcr\.io\/acme\/migrate`, `registry\.acme\.io\/api`/ },
  { name: 'transformer-typo', targets: 'overlays/labelled', images: 'ghcr.io/acme/apii:2.0.0', hint: /did you mean `ghcr\.io\/acme\/api`\?/ },
  { name: 'application-typo', targets: 'apps/api.yaml', images: 'ghcr.io/acme/apii:2.0.0', hint: /did you mean `ghcr\.io\/acme\/api`\?/ },
];

/**
 * The files with one more overlay, `overlays/fetched`, whose worker comes from a remote base
 * (`url`, a file:// URL of tests/action/remote-base-fixture.js's shared repository): the
 * check follows it (fetch-remote-bases defaults to true in the Action and the orb), so a
 * typo behind it is refused like any other.
 * @param {Record<string, string>} files
 * @param {string} url
 */
export function withRemoteBase(files, url) {
  return { ...files, 'overlays/fetched/kustomization.yaml': `resources:\n- ../../base\n- ${url}\n` };
}

/** A typo behind the remote base, and the right name. */
export const REMOTE_REFUSED = { name: 'remote-typo', targets: 'overlays/fetched', images: 'ghcr.io/acme/workr:2.0', hint: /did you mean `ghcr\.io\/acme\/worker`\?/ };
export const REMOTE_ACCEPTED = { targets: 'overlays/fetched', images: 'ghcr.io/acme/worker:2.0', line: /- name: ghcr\.io\/acme\/worker\n {2}newTag: "2\.0"$/ };

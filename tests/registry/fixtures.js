// The config repository the registry tests bump (a base, a prod overlay, an Argo CD
// Application, Helm values, a Flux setter file, all naming one image of a local registry),
// and helpers to write it and to prove that nothing changed.

import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `files` under `dir`. */
export function write(dir, files) {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
}

/** Every file under `dir` with its bytes (to prove nothing changed). */
export function snapshot(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      if (name === '.git') continue;
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** The config repository: a base, a prod overlay, an Argo CD app, Helm values, a Flux setter file. */
export function configFiles(host) {
  const image = `${host}/acme/api`;
  return {
    'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ${image}:0.9.0 # the running build
`,
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'overlays/prod/kustomization.yaml': `# production
resources:
  - ../../base
images:
  - name: ${image}
    newTag: 0.9.0
`,
    'apps/api.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api
spec:
  source:
    repoURL: https://example.com/config.git
    path: base
    kustomize:
      images:
        - ${image}:0.9.0
`,
    'charts/values.yaml': `image:
  repository: ${image}
  tag: "0.9.0"
  digest: ""   # pinned by the pipeline
`,
    'charts/sidecar-values.yaml': `sidecar:
  image: ${image}:0.9.0 # a whole reference in one string
`,
    'flux/deploy.yaml': `spec:
  containers:
    - name: api
      image: ${image}:0.9.0 # {"$imagepolicy": "flux-system:api"}
`,
  };
}

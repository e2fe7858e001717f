// Example inputs for the playground. The first one prefills the page.
// Each has the YAML text and the controls' state that shows it off.

const DEPLOYMENT_AND_KUSTOMIZATION = `# overlays/prod: the API Deployment and the overlay's kustomization.
# gitops-bump changes one value and leaves comments, blank lines and quotes alone.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/version: "1.9"   # keep in step with the image tag
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: api
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.9.2
          ports:
            - containerPort: 8080   # http

          env:
            - name: LOG_LEVEL
              value: info
        - name: metrics
          image: ghcr.io/acme/metrics-sidecar:0.4.1
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
resources:
  - deployment.yaml

images:
  - name: ghcr.io/acme/api
    newTag: 1.9.2   # bumped by CI
  - name: ghcr.io/acme/metrics-sidecar
    newTag: "0.4.1"
`;

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod

resources:
  - ../../base
  - ingress.yaml

# Tags below are bumped by the release pipeline.
images:
  - name: ghcr.io/acme/api
    newTag: 1.9.2
  - name: ghcr.io/acme/worker
    newName: registry.acme.dev/worker
    newTag: "2024.06"
`;

const HELM_VALUES = `# Default values for the api chart.
replicaCount: 2

image:
  repository: ghcr.io/acme/api
  tag: "1.9.2"          # overridden by CI
  pullPolicy: IfNotPresent

service:
  type: ClusterIP
  port: 80

ingress:
  enabled: true
  annotations:
    kubernetes.io/ingress.class: nginx
  hosts:
    - host: api.acme.dev
      paths: [/]
`;

const ARGOCD_APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api-prod
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/acme/deploy.git
    targetRevision: main
    path: overlays/prod
    kustomize:
      images:
        - ghcr.io/acme/api:1.9.2
  destination:
    server: https://kubernetes.default.svc
    namespace: prod
  syncPolicy:
    automated:
      prune: true
`;

const FLUX_SETTERS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.9.2 # {"$imagepolicy": "flux-system:api"}
        - name: migrate
          image: ghcr.io/acme/api-migrate:1.9.2 # {"$imagepolicy": "flux-system:api-migrate"}
`;

export const EXAMPLES = [
  {
    id: 'deployment',
    label: 'Deployment + kustomization',
    yaml: DEPLOYMENT_AND_KUSTOMIZATION,
    state: { file: 'overlays/prod/all.yaml', mode: 'get', path: 'spec.template.spec.containers[name=api].image' },
  },
  {
    id: 'label-1.10',
    label: 'Set a version label to 1.10 (stays a string)',
    yaml: DEPLOYMENT_AND_KUSTOMIZATION,
    state: { file: 'overlays/prod/all.yaml', mode: 'set', path: 'metadata.labels["app.kubernetes.io/version"]', value: '1.10' },
  },
  {
    id: 'kustomization',
    label: 'kustomization.yaml: set an image',
    yaml: KUSTOMIZATION,
    state: { file: 'overlays/prod/kustomization.yaml', mode: 'image', spec: 'ghcr.io/acme/api:1.10' },
  },
  {
    id: 'helm',
    label: 'Helm values.yaml: image.tag',
    yaml: HELM_VALUES,
    state: { file: 'charts/api/values.yaml', mode: 'set', path: 'image.tag', value: '1.10' },
  },
  {
    id: 'argocd',
    label: 'Argo CD Application: kustomize images',
    yaml: ARGOCD_APPLICATION,
    state: { file: 'apps/api-prod.yaml', mode: 'image', spec: 'ghcr.io/acme/api:1.10', target: 'argocd' },
  },
  {
    id: 'flux',
    label: 'Flux image policy setters',
    yaml: FLUX_SETTERS,
    // Flux specs name the policy: namespace:policy=newName:newTag.
    state: { file: 'apps/api/deployment.yaml', mode: 'image', spec: 'flux-system:api=ghcr.io/acme/api:1.10', target: 'flux' },
  },
  {
    id: 'all',
    label: 'Every container image ([*] + all matches)',
    yaml: DEPLOYMENT_AND_KUSTOMIZATION,
    state: { file: 'overlays/prod/all.yaml', mode: 'get', path: 'spec.template.spec.containers[*].image', all: true },
  },
];

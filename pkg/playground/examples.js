// Example repositories for the playground. Each example is a small tree of files, as a
// GitOps config repository holds them, the file it opens, and the controls' state that
// shows it off. The first one prefills the page.

const BASE_DEPLOYMENT = `# The API, as every environment runs it; overlays change the image and replicas.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/version: "1.9"   # keep in step with the image tag
spec:
  replicas: 2
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
`;

const BASE_SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app.kubernetes.io/name: api
  ports:
    - port: 80
      targetPort: 8080
`;

const BASE_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
`;

const STAGING_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: staging
resources:
  - ../../base
images:
  - name: ghcr.io/acme/api
    newTag: 1.10.0-rc.1
`;

const PRODUCTION_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod

resources:
  - ../../base

replicas:
  - name: api
    count: 3

# Tags below are bumped by the release pipeline.
images:
  - name: ghcr.io/acme/api
    newTag: 1.9.2   # bumped by CI
  - name: ghcr.io/acme/metrics-sidecar
    newTag: "0.4.1"
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
    path: apps/api/overlays/production
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

const FLUX_DEPLOYMENT = `apiVersion: apps/v1
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

/** The kustomize repository: a base, two overlays, a chart's values. */
const KUSTOMIZE_REPO = {
  'apps/api/base/deployment.yaml': BASE_DEPLOYMENT,
  'apps/api/base/service.yaml': BASE_SERVICE,
  'apps/api/base/kustomization.yaml': BASE_KUSTOMIZATION,
  'apps/api/overlays/staging/kustomization.yaml': STAGING_KUSTOMIZATION,
  'apps/api/overlays/production/kustomization.yaml': PRODUCTION_KUSTOMIZATION,
  'charts/api/values.yaml': HELM_VALUES,
};

const ARGOCD_REPO = { ...KUSTOMIZE_REPO, 'argocd/api-prod.yaml': ARGOCD_APPLICATION };

const FLUX_REPO = { 'clusters/prod/api/deployment.yaml': FLUX_DEPLOYMENT };

const PRODUCTION = 'apps/api/overlays/production/kustomization.yaml';

export const EXAMPLES = [
  {
    id: 'overlay-image',
    label: 'Overlay: set the api image (checked against the base)',
    files: KUSTOMIZE_REPO,
    state: { file: PRODUCTION, mode: 'image', spec: 'ghcr.io/acme/api:1.10' },
  },
  {
    id: 'deployment',
    label: 'Base Deployment: find the api container image',
    files: KUSTOMIZE_REPO,
    state: { file: 'apps/api/base/deployment.yaml', mode: 'get', path: 'spec.template.spec.containers[name=api].image' },
  },
  {
    id: 'label-1.10',
    label: 'Set a version label to 1.10 (stays a string)',
    files: KUSTOMIZE_REPO,
    state: { file: 'apps/api/base/deployment.yaml', mode: 'set', path: 'metadata.labels["app.kubernetes.io/version"]', value: '1.10' },
  },
  {
    id: 'helm',
    label: 'Helm values.yaml: image.tag',
    files: KUSTOMIZE_REPO,
    state: { file: 'charts/api/values.yaml', mode: 'set', path: 'image.tag', value: '1.10' },
  },
  {
    id: 'argocd',
    label: 'Argo CD Application: kustomize images',
    files: ARGOCD_REPO,
    state: { file: 'argocd/api-prod.yaml', mode: 'image', spec: 'ghcr.io/acme/api:1.10' },
  },
  {
    id: 'flux',
    label: 'Flux image policy setters',
    files: FLUX_REPO,
    // Flux specs name the policy: namespace:policy=newName:newTag.
    state: { file: 'clusters/prod/api/deployment.yaml', mode: 'image', spec: 'flux-system:api=ghcr.io/acme/api:1.10' },
  },
  {
    id: 'all',
    label: 'Every container image ([*] + all matches)',
    files: KUSTOMIZE_REPO,
    state: { file: 'apps/api/base/deployment.yaml', mode: 'get', path: 'spec.template.spec.containers[*].image', all: true },
  },
];

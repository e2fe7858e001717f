// `gitops-bump/pipeline` (package.json's exports and src/pipeline.d.ts name this file): the
// pipeline itself lives in pipeline/, see pipeline/index.js.
export { runPipeline, DEFAULT_RETRIES } from './pipeline/index.js';

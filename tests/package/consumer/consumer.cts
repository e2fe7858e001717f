// A CommonJS TypeScript consumer: `require('gitops-bump')` must resolve to the CommonJS
// entry's types (dist/index.d.cts), not the ES module's.
import gitopsBump = require('gitops-bump');
import pipeline = require('gitops-bump/pipeline');

const result: gitopsBump.EditResult = gitopsBump.setValue('a: 1\n', 'a', 2, { type: 'int' });
const found: gitopsBump.Found[] = gitopsBump.getValue(result.text, 'a');
const run: (args: pipeline.PipelineArgs) => Promise<pipeline.PipelineResult> = pipeline.runPipeline;
console.log(found[0].type, run, gitopsBump.runPipeline === pipeline.runPipeline);

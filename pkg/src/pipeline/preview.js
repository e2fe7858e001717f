// Modes dry-run and check on a clone (--repo): the plan is applied to a fresh shallow clone
// by the caller's apply, which writes nothing, to show or say what would change there.
// Nothing is committed or pushed; the clone is removed with the run. (Without --repo a
// preview runs in place and never gets here: see runPipeline.)

/**
 * @param {import('./run.js').Run} run set up by workspace.js (a clone of --repo)
 * @returns {Promise<object>} the PipelineResult
 */
export async function previewFlow(run) {
  const { res } = await run.applyAt(run.git, run.root);
  return run.done(res, { branch: run.branch, workdir: null });
}

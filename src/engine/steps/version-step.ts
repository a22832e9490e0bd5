import { InvalidOptionsError, NonDeterminismError } from '../../errors.js';
import { RESERVED_PREFIX } from '../../registry/definitions.js';
import { isStorableText, NOT_STORABLE } from '../../store/storable-text.js';
import type { WorkflowRuntime } from '../workflow-runtime.js';
import { recordOnce } from './side-effect-step.js';

/** Durable name of a version marker: a side effect whose value is the version a workflow took at a change. */
export const VERSION_STEP = `${RESERVED_PREFIX}version`;

/** The version of a change for a workflow that reached its point before the change was deployed. */
export const DEFAULT_VERSION = 0;

const MAX_CHANGE_ID = 255 - VERSION_STEP.length - 1;

/**
 * Checks `version()`'s arguments.
 * @throws InvalidOptionsError for an empty, too long or unstorable change id, or a range that is not integers `0 ≤ min ≤ max`
 */
export function checkVersionArgs(subject: string, changeId: unknown, min: unknown, max: unknown): void {
  if (typeof changeId !== 'string' || changeId.length === 0 || changeId.length > MAX_CHANGE_ID) {
    throw new InvalidOptionsError(subject, 'changeId', `must be a string of 1 to ${MAX_CHANGE_ID} characters, got ${typeof changeId === 'string' ? `${changeId.length} characters` : typeof changeId}`);
  }
  if (!isStorableText(changeId)) throw new InvalidOptionsError(subject, 'changeId', `a change id ${NOT_STORABLE}`);
  for (const [path, value] of [['minSupported', min], ['maxSupported', max]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < DEFAULT_VERSION) throw new InvalidOptionsError(subject, path, `must be an integer ≥ ${DEFAULT_VERSION}, got ${String(value)}`);
  }
  if ((min as number) > (max as number)) throw new InvalidOptionsError(subject, 'minSupported', `must not be above maxSupported (${String(max)}), got ${String(min)}`);
}

/**
 * The version of change `changeId` this workflow runs: the one recorded when it first reached this point, or
 * {@link DEFAULT_VERSION} when it passed this point under code that did not call `version()` here (what it
 * recorded goes on past it), else `maxSupported`, recorded now. Once per change and execution: later calls get
 * the same version.
 */
export function versionOf(rt: WorkflowRuntime, changeId: string, maxSupported: number): Promise<number> {
  const known = rt.versions.get(changeId);
  if (known) return known;
  const taken = takeVersion(rt, changeId, maxSupported);
  rt.versions.set(changeId, taken);
  return taken;
}

async function takeVersion(rt: WorkflowRuntime, changeId: string, maxSupported: number): Promise<number> {
  const stepId = `${VERSION_STEP}/${changeId}`;
  const recorded = rt.checkpoints.at(rt.info.workflowId, stepId, 'sideEffect', VERSION_STEP);
  // A marker is recorded once and never fails (its value is the code's own number), so nothing but `completed`.
  if (recorded === undefined && (await replaysPastThisPoint(rt))) return DEFAULT_VERSION;
  return (await recordOnce(rt, stepId, VERSION_STEP, () => maxSupported)) as number;
}

/**
 * Whether this execution is still replaying what an earlier one of this generation recorded: a step, child,
 * sleep or signal wait it has not reached again. Version markers do not count (a deployment may drop a
 * `version()` call once no workflow needs it).
 */
async function replaysPastThisPoint(rt: WorkflowRuntime): Promise<boolean> {
  if (!rt.reentersGeneration) return false;
  if (rt.checkpoints.hasUnreached((row) => row.name !== VERSION_STEP)) return true;
  const { workflowId, generation } = rt.info;
  const [timers, signals] = await Promise.all([rt.deps.store.waits.timersOf(workflowId), rt.deps.store.waits.signalsOf(workflowId)]);
  return (
    timers.some((timer) => timer.generation === generation && timer.status !== 'cancelled' && !rt.reachedWaits.has(timer.stepId)) ||
    signals.some((signal) => signal.consumedGeneration === generation && signal.consumedStepId !== null && !rt.reachedWaits.has(signal.consumedStepId))
  );
}

/**
 * `version` checked against what this code supports.
 * @throws NonDeterminismError when it is outside `[min, max]`: the code dropped the path this workflow took
 */
export function supportedVersion(rt: WorkflowRuntime, changeId: string, version: number, min: number, max: number): number {
  if (version >= min && version <= max) return version;
  throw new NonDeterminismError(rt.info.workflowId, `${VERSION_STEP}/${changeId}`, { kind: 'version', name: `${min}..${max}` }, { kind: 'version', name: String(version) });
}

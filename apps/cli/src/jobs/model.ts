/** The model of a job, identified by the SHA-256 of its file so that no worker mixes in another version. */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { ActionModel } from '@crys/model';
import { CliFailure } from '../errors.js';
import { readBytes } from '../files.js';
import type { ResolvedModel } from '../model-runtime.js';
import type { ModelRef } from './shards.js';

/** SHA-256 (hex) of a file's bytes. */
export function fileSha256(file: string): string {
  return createHash('sha256').update(readBytes(file)).digest('hex');
}

/** The job's reference to a model the submitting command resolved. */
export function modelRef(resolved: ResolvedModel): ModelRef {
  return { name: resolved.source, sha256: fileSha256(resolved.file), task: resolved.model.config.task.kind };
}

/** A worker's model is not the one a job names. */
export class ModelMismatchError extends CliFailure {
  override name = 'ModelMismatchError';
}

/** This process as a worker name: `host:pid`. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Loads the model a job names on this machine and checks that its file has the job's SHA-256; a different file
 * (another version of a shipped model, another training run at the same path) is refused with a
 * {@link ModelMismatchError} instead of mixing its results with the other workers'.
 */
export async function loadJobModel(ref: ModelRef, backend: 'wasm' | 'cpu'): Promise<ActionModel> {
  const rt = await import('../model-runtime.js');
  const running = await rt.startBackend(backend);
  if (running !== backend) {
    throw new ModelMismatchError(
      `worker ${workerName()} refuses the job: it runs tfjs on ${running} and the job was submitted on ${backend} (results differ in the last digits between backends)`,
      `start a worker for ${backend} jobs (a worker runs the backend of its first job)`,
    );
  }
  let resolved: ResolvedModel;
  try {
    resolved = rt.resolveModel(ref.name, ref.task, []);
  } catch (e) {
    throw new ModelMismatchError(
      `worker ${workerName()} cannot find model ${ref.name} (sha256 ${ref.sha256.slice(0, 12)}…) of the job: ${(e as Error).message}`,
      'put the same model file at the same path (or shipped name) on every worker machine',
    );
  }
  const sha = fileSha256(resolved.file);
  if (sha !== ref.sha256) {
    throw new ModelMismatchError(
      `worker ${workerName()} refuses the job: its model ${ref.name} (${resolved.file}) has sha256 ${sha.slice(0, 12)}…, the job was submitted with sha256 ${ref.sha256.slice(0, 12)}…`,
      'give every worker the model file the job was submitted with (same content), or resubmit with this model',
    );
  }
  return resolved.model;
}

import type { RunOnRequirement } from './loadSpecFile.ts';

/** What the target deployment is and offers, for `runOnRequirements`. */
export interface ServerInfo {
  version: string;
  topology: 'single' | 'replicaset' | 'sharded' | 'load-balanced';
  serverless: boolean;
  auth: boolean;
  csfle: boolean;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function unmet(req: RunOnRequirement, info: ServerInfo): string | null {
  if (req.minServerVersion && compareVersions(info.version, req.minServerVersion) < 0)
    return `needs server >= ${req.minServerVersion} (target is ${info.version})`;
  if (req.maxServerVersion && compareVersions(info.version, req.maxServerVersion) > 0)
    return `needs server <= ${req.maxServerVersion} (target is ${info.version})`;
  if (req.topologies && !req.topologies.includes(info.topology))
    return `needs topology ${req.topologies.join('/')} (target is ${info.topology})`;
  if (req.serverless === 'require' && !info.serverless) return 'needs serverless';
  if (req.serverless === 'forbid' && info.serverless) return 'forbids serverless';
  if (req.auth === true && !info.auth) return 'needs authentication';
  if (req.auth === false && info.auth) return 'needs no authentication';
  if (req.csfle === true && !info.csfle) return 'needs client-side field level encryption';
  if (req.serverParameters) return 'needs server parameters checks (not implemented by this runner)';
  return null;
}

/** Null when any of the requirements is met (or there are none), else why none is. */
export function unmetRequirement(reqs: RunOnRequirement[] | undefined, info: ServerInfo): string | null {
  if (!reqs || reqs.length === 0) return null;
  const reasons: string[] = [];
  for (const req of reqs) {
    const reason = unmet(req, info);
    if (reason === null) return null;
    reasons.push(reason);
  }
  return [...new Set(reasons)].join('; or ');
}

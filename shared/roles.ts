/** The roles a token can carry. */
export const ROLES = ['admin', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a caller may do: `read` lists, reads and subscribes; `produce` is an agent's work (create
 * sessions, append events, complete); `act` is a person's (send a message, stop an agent);
 * `manage` is an administrator's (delete a session), granted to `admin` only.
 */
export type Permission = 'read' | 'produce' | 'act' | 'manage';

/** Which role may do what. `admin` may do everything. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['read', 'produce', 'act', 'manage'],
  agent: ['read', 'produce'],
  viewer: ['read', 'act'],
};

/** Whether `role` grants `permission`. */
export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

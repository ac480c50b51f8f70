/**
 * The newsroom's roles and who holds them: plain types with no framework in them, for the pure
 * domain (the decider checks roles) as much as for the HTTP guard. API.md, "Authentication".
 */
export const ROLES = ['reporter', 'editor', 'standards', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A user the bearer guard authenticated, as the users file names them. */
export interface AuthenticatedUser {
  id: string;
  name: string;
  roles: Role[];
}

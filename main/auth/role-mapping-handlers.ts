/**
 * The Roles screen (admin.roles): the mapping in force per provider, edits to it, and
 * "preview as": what a user with given groups (mapped through a provider) or roles would
 * see, computed by the same row and column rules as a real session.
 */
import type { AccessPreview, DataPage, DatasetSummary, LocalRole, Permission } from '../../preload/contract';
import { AppError } from '../errors';
import type { IpcRegistry } from '../ipc/registry';
import type { Session } from '../session/session-manager';
import type { RoleMappingStore } from './role-mapping';
import { permissionsFor, type RolePermissions } from './roles';
import { rolesForGroups } from './saml/saml-identity';
import { principalFromSession, type Principal } from '../data/principal';

/** Rows shown per dataset in a preview. */
const PREVIEW_ROWS = 10;

export interface PreviewData {
  listDatasets(principal: Principal): Promise<DatasetSummary[]> | DatasetSummary[];
  query(
    principal: Principal,
    input: { datasetId: string; filters: []; search: ''; sort: []; offset: 0; limit: number },
  ): Promise<DataPage>;
}

export function setupRoleMappingHandlers(
  registry: IpcRegistry<Session>,
  deps: {
    roleMapping: RoleMappingStore;
    rolePermissions: RolePermissions;
    data: PreviewData | null;
    /** The caller's own permissions (the preview never shows more than they may see). */
    permissionsOf: (session: Session) => Permission[];
  },
): void {
  registry.handle('admin:get-role-mapping', function handleGetRoleMapping() {
    return deps.roleMapping.view(deps.rolePermissions);
  });

  registry.handle('admin:set-role-mapping', async function handleSetRoleMapping(input) {
    await deps.roleMapping.set(input.providerId, input.mapping);
    return deps.roleMapping.view(deps.rolePermissions);
  });

  registry.handle('admin:preview-access', async function handlePreviewAccess(input, { session }) {
    const roles = new Set<LocalRole>(input.roles);
    if (input.providerId) {
      const mapping = deps.roleMapping.mappingFor(input.providerId);
      if (!mapping) throw new AppError('UNKNOWN_PROVIDER', 'That identity provider is not configured.');
      for (const role of rolesForGroups(input.groups, mapping)) roles.add(role);
    }
    const sortedRoles = [...roles].sort();
    const principal: Principal = {
      username: 'preview',
      email: null,
      roles: sortedRoles,
      groups: input.groups,
      permissions: permissionsFor(sortedRoles, deps.rolePermissions),
    };
    const preview: AccessPreview = { roles: sortedRoles, permissions: principal.permissions.slice(), datasets: [] };
    if (!deps.data || !principal.permissions.includes('data.read') || !session) return preview;
    // A preview never shows the caller more than they may see themselves: data permissions they
    // lack are dropped (no PII without data.read.pii), datasets they cannot open are left out,
    // and where their own rows are scoped, the preview gives the scope and count but no rows.
    const caller = principalFromSession(session, deps.permissionsOf(session));
    const callerDatasets = new Map((await deps.data.listDatasets(caller)).map((d) => [d.id, d]));
    principal.permissions = principal.permissions.filter((p) => !p.startsWith('data.') || caller.permissions.includes(p));
    for (const dataset of await deps.data.listDatasets(principal)) {
      const own = callerDatasets.get(dataset.id);
      // A dataset that did not open has nothing to preview.
      if (!own || dataset.status !== 'ready') continue;
      const page = await deps.data.query(principal, {
        datasetId: dataset.id,
        filters: [],
        search: '',
        sort: [],
        offset: 0,
        limit: PREVIEW_ROWS,
      });
      const rowsHidden = own.rowScope !== null;
      preview.datasets.push({ dataset, page: rowsHidden ? { ...page, rows: [] } : page, rowsHidden });
    }
    return preview;
  });
}

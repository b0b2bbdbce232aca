/**
 * The API the renderer sees as `window.portico`: one named function per channel, nothing
 * generic (no raw invoke/on), so a compromised page cannot reach channels we never exposed.
 * Built from an `invoke` function so it imports nothing from electron (the renderer's
 * type is `PorticoApi`, derived from this file).
 */
import type { ChannelName, ChannelPayload, ChannelValue, IpcResult } from './contract';

export type Invoke = <C extends ChannelName>(channel: C, payload: ChannelPayload<C>) => Promise<IpcResult<ChannelValue<C>>>;

export function createPorticoApi(invoke: Invoke) {
  return {
    getAppInfo: () => invoke('app:get-info', {}),
    createAdmin: (payload: ChannelPayload<'setup:create-admin'>) => invoke('setup:create-admin', payload),
    signInLocal: (payload: ChannelPayload<'auth:sign-in-local'>) => invoke('auth:sign-in-local', payload),
    verifySecondFactor: (payload: ChannelPayload<'auth:verify-second-factor'>) => invoke('auth:verify-second-factor', payload),
    setNewPassword: (payload: ChannelPayload<'auth:set-new-password'>) => invoke('auth:set-new-password', payload),
    beginSignInSecondFactorEnrolment: () => invoke('auth:begin-second-factor-enrolment', {}),
    confirmSignInSecondFactorEnrolment: (payload: ChannelPayload<'auth:confirm-second-factor-enrolment'>) =>
      invoke('auth:confirm-second-factor-enrolment', payload),
    cancelSignIn: () => invoke('auth:cancel-sign-in', {}),
    getAccountSecurity: () => invoke('account:get-security', {}),
    changePassword: (payload: ChannelPayload<'account:change-password'>) => invoke('account:change-password', payload),
    beginSecondFactorEnrolment: () => invoke('account:begin-second-factor-enrolment', {}),
    confirmSecondFactorEnrolment: (payload: ChannelPayload<'account:confirm-second-factor-enrolment'>) =>
      invoke('account:confirm-second-factor-enrolment', payload),
    removeSecondFactor: () => invoke('account:remove-second-factor', {}),
    newRecoveryCodes: () => invoke('account:new-recovery-codes', {}),
    signOut: () => invoke('auth:sign-out', {}),
    confirmPassword: (payload: ChannelPayload<'auth:confirm-password'>) => invoke('auth:confirm-password', payload),
    discoverProvider: (payload: ChannelPayload<'auth:discover-provider'>) => invoke('auth:discover-provider', payload),
    startSso: (payload: ChannelPayload<'auth:start-sso'>) => invoke('auth:start-sso', payload),
    reauthenticateSso: () => invoke('auth:reauthenticate-sso', {}),
    cancelSso: () => invoke('auth:cancel-sso', {}),
    getSpMetadata: (payload: ChannelPayload<'admin:get-sp-metadata'>) => invoke('admin:get-sp-metadata', payload),
    getCurrentSession: () => invoke('session:get-current', {}),
    reportActivity: () => invoke('session:activity', {}),
    unlock: (payload: ChannelPayload<'session:unlock'>) => invoke('session:unlock', payload),
    unlockWithSso: () => invoke('session:unlock-sso', {}),
    listUsers: () => invoke('users:list', {}),
    listSsoPeople: () => invoke('users:list-sso', {}),
    endKeptSignIn: (payload: ChannelPayload<'users:end-kept-sign-in'>) => invoke('users:end-kept-sign-in', payload),
    createUser: (payload: ChannelPayload<'users:create'>) => invoke('users:create', payload),
    setUserDisabled: (payload: ChannelPayload<'users:set-disabled'>) => invoke('users:set-disabled', payload),
    resetUserPassword: (payload: ChannelPayload<'users:reset-password'>) => invoke('users:reset-password', payload),
    resetUserSecondFactor: (payload: ChannelPayload<'users:reset-second-factor'>) => invoke('users:reset-second-factor', payload),
    setUserAccess: (payload: ChannelPayload<'users:set-access'>) => invoke('users:set-access', payload),
    listDatasets: () => invoke('data:list-datasets', {}),
    queryData: (payload: ChannelPayload<'data:query'>) => invoke('data:query', payload),
    countData: (payload: ChannelPayload<'data:counts'>) => invoke('data:counts', payload),
    exportData: (payload: ChannelPayload<'data:export'>) => invoke('data:export', payload),
    connectDataset: (payload: ChannelPayload<'data:connect'>) => invoke('data:connect', payload),
    forgetDatasetLogin: (payload: ChannelPayload<'data:forget-login'>) => invoke('data:forget-login', payload),
    queryAudit: (payload: ChannelPayload<'audit:query'>) => invoke('audit:query', payload),
    getRoleMapping: () => invoke('admin:get-role-mapping', {}),
    setRoleMapping: (payload: ChannelPayload<'admin:set-role-mapping'>) => invoke('admin:set-role-mapping', payload),
    previewAccess: (payload: ChannelPayload<'admin:preview-access'>) => invoke('admin:preview-access', payload),
    getDiagnostics: () => invoke('admin:get-diagnostics', {}),
    exportSupportBundle: () => invoke('admin:export-support-bundle', {}),
  };
}

export type PorticoApi = ReturnType<typeof createPorticoApi>;

export type SignedInPage = 'home' | 'users' | 'roles' | 'audit' | 'sso' | 'diagnostics' | 'account';

export const PAGE_LABELS: Record<SignedInPage, string> = {
  home: 'Data',
  users: 'Users',
  roles: 'Roles',
  audit: 'Audit log',
  sso: 'Single sign-on',
  diagnostics: 'Diagnostics',
  account: 'Account',
};

interface AppHeaderProps {
  page: SignedInPage;
  /** True when the page has no h1 of its own: the product name is then the page's h1. */
  brandIsHeading: boolean;
  /** The pages this user's permissions open; no navigation when only one. */
  pages: SignedInPage[];
  signingOut: boolean;
  /** A Portico account: its Account page (password, two-step verification) is offered beside sign-out. */
  hasAccountPage: boolean;
  onNavigate: (page: SignedInPage) => void;
  onSignOut: () => void;
}

/** The top bar shown while signed in: product name, main navigation and sign-out. */
export function AppHeader({ page, brandIsHeading, pages, signingOut, hasAccountPage, onNavigate, onSignOut }: AppHeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header-inner">
        {brandIsHeading ? <h1 className="brand">Portico</h1> : <p className="brand">Portico</p>}
        {pages.length > 1 ? (
          <nav aria-label="Main" className="main-nav">
            <ul>
              {pages.map((p) => (
                <li key={p}>
                  <NavButton label={PAGE_LABELS[p]} current={page === p} onClick={() => onNavigate(p)} />
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {hasAccountPage ? (
          <button
            type="button"
            className="nav-button account-link"
            aria-current={page === 'account' ? 'page' : undefined}
            onClick={() => onNavigate('account')}
          >
            {PAGE_LABELS.account}
          </button>
        ) : null}
        <button type="button" className="button button-secondary sign-out" onClick={onSignOut} disabled={signingOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function NavButton({ label, current, onClick }: { label: string; current: boolean; onClick: () => void }) {
  return (
    <button type="button" className="nav-button" aria-current={current ? 'page' : undefined} onClick={onClick}>
      {label}
    </button>
  );
}

export type SignedInPage = 'home' | 'users' | 'sso';

interface AppHeaderProps {
  page: SignedInPage;
  /** True when the page has no h1 of its own: the product name is then the page's h1. */
  brandIsHeading: boolean;
  canManageUsers: boolean;
  /** Single sign-on providers are configured (and the user may manage users). */
  showSingleSignOn: boolean;
  signingOut: boolean;
  onNavigate: (page: SignedInPage) => void;
  onSignOut: () => void;
}

/** The top bar shown while signed in: product name, main navigation and sign-out. */
export function AppHeader({
  page,
  brandIsHeading,
  canManageUsers,
  showSingleSignOn,
  signingOut,
  onNavigate,
  onSignOut,
}: AppHeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header-inner">
        {brandIsHeading ? <h1 className="brand">Portico</h1> : <p className="brand">Portico</p>}
        {canManageUsers ? (
          <nav aria-label="Main" className="main-nav">
            <ul>
              <li>
                <NavButton label="Home" current={page === 'home'} onClick={() => onNavigate('home')} />
              </li>
              <li>
                <NavButton label="Users" current={page === 'users'} onClick={() => onNavigate('users')} />
              </li>
              {showSingleSignOn ? (
                <li>
                  <NavButton label="Single sign-on" current={page === 'sso'} onClick={() => onNavigate('sso')} />
                </li>
              ) : null}
            </ul>
          </nav>
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

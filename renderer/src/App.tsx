import { useCallback, useEffect, useState } from 'react';
import type { AppInfo, SessionSummary } from '../../preload/contract';
import { SignedInShell } from './components/SignedInShell';
import { createNotice } from './lib/notice';
import { resolveStartView } from './lib/startup';
import type { View } from './lib/views';
import { ErrorScreen } from './screens/ErrorScreen';
import { LoadingScreen } from './screens/LoadingScreen';
import { LoginScreen } from './screens/LoginScreen';
import { SetupScreen } from './screens/SetupScreen';

export function App() {
  const [view, setView] = useState<View>({ name: 'loading' });

  useEffect(() => {
    let cancelled = false;
    void resolveStartView().then((first) => {
      if (!cancelled) setView(first);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const toLogin = useCallback((info: AppInfo, message: string | null) => {
    const notice = message ? createNotice(message) : null;
    // Asked again: the sign-in just made changed what the sign-in screen fills in (lastSignIn).
    void window.portico.getAppInfo().then(
      (fresh) => setView({ name: 'login', info: fresh.ok ? fresh.value : info, notice }),
      () => setView({ name: 'login', info, notice }),
    );
  }, []);

  const toSignedIn = useCallback((info: AppInfo, session: SessionSummary) => {
    setView({ name: 'signed-in', info, session });
  }, []);

  switch (view.name) {
    case 'loading':
      return <LoadingScreen />;
    case 'error':
      return <ErrorScreen problem={view.problem} />;
    case 'setup':
      return (
        <SetupScreen
          minPasswordLength={view.info.passwordPolicy.minLength}
          onCreated={(session) => toSignedIn(view.info, session)}
          onAlreadySetUp={(message) => toLogin(view.info, message)}
        />
      );
    case 'login':
      return (
        <LoginScreen
          key={view.notice?.id ?? 'login'}
          info={view.info}
          notice={view.notice}
          onSignedIn={(session) => toSignedIn(view.info, session)}
          onSetupRequired={() => setView({ name: 'setup', info: view.info })}
        />
      );
    case 'signed-in':
      return <SignedInView info={view.info} session={view.session} toLogin={toLogin} toSignedIn={toSignedIn} />;
  }
}

interface SignedInViewProps {
  info: AppInfo;
  session: SessionSummary;
  toLogin: (info: AppInfo, message: string | null) => void;
  toSignedIn: (info: AppInfo, session: SessionSummary) => void;
}

/** Binds the shell's callbacks once per AppInfo, so the idle timer is not reset on every render. */
function SignedInView({ info, session, toLogin, toSignedIn }: SignedInViewProps) {
  const onSessionChange = useCallback((next: SessionSummary) => toSignedIn(info, next), [info, toSignedIn]);
  const onSessionEnd = useCallback((message: string) => toLogin(info, message), [info, toLogin]);
  return (
    <SignedInShell
      session={session}
      providers={info.providers}
      minPasswordLength={info.passwordPolicy.minLength}
      onSessionChange={onSessionChange}
      onSessionEnd={onSessionEnd}
    />
  );
}

/** Shown for the moment it takes main to report the app status. */
export function LoadingScreen() {
  return (
    <main className="centered">
      <p role="status" className="loading">
        Starting Portico…
      </p>
    </main>
  );
}

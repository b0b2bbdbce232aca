/**
 * Proxy settings from the environment, as a help desk needs to see them: which variables are
 * set, to what proxy (credentials removed), and which proxy a given URL would go through.
 * Pure: the environment is passed in.
 */
import { redactUrl, urlCredentials } from './redact';

type Env = Readonly<Record<string, string | undefined>>;

/** Checked in this order; the lower-case form wins over the upper-case one, as curl does. */
const VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];
/** Not a proxy, but decides whether Node's fetch reads the variables above. */
const NODE_SWITCH = 'NODE_USE_ENV_PROXY';

export interface ProxyVariable {
  name: string;
  /** The value with any user name and password replaced by `[redacted]`. */
  value: string;
  credentialsRemoved: boolean;
}

/** The proxy variables that are set, in a fixed order, credentials removed. */
export function proxyVariables(env: Env): ProxyVariable[] {
  const out: ProxyVariable[] = [];
  for (const name of [...VARIABLES, NODE_SWITCH]) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (/^no_proxy$/i.test(name) || name === NODE_SWITCH) {
      out.push({ name, value, credentialsRemoved: false });
    } else {
      out.push({ name, value: redactUrl(value), credentialsRemoved: urlCredentials(value).length > 0 });
    }
  }
  return out;
}

/** The credentials held in the proxy variables (to be kept out of any report). */
export function proxyCredentials(env: Env): string[] {
  return VARIABLES.filter((name) => !/^no_proxy$/i.test(name)).flatMap((name) => urlCredentials(env[name] ?? ''));
}

function firstSet(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * The proxy the environment names for a URL (redacted), or null when none applies (no
 * variable, or NO_PROXY matches). NO_PROXY: comma- or space-separated host names, domain
 * suffixes (`.corp.example` or `corp.example`, matching subdomains), optional `:port`, `*` for all.
 */
export function proxyForUrl(target: string, env: Env): string | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  const proxy =
    url.protocol === 'https:'
      ? firstSet(env, 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY')
      : firstSet(env, 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY');
  if (!proxy) return null;
  if (bypassesProxy(url, firstSet(env, 'no_proxy', 'NO_PROXY') ?? '')) return null;
  return redactUrl(proxy);
}

/** Whether NO_PROXY excludes the URL's host. */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const [entryHost, entryPort] = splitHostPort(entry);
    const name = entryHost.replace(/^\*?\./, '');
    if (entryPort && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (no port). */
function splitHostPort(entry: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return [bracketed[1] ?? '', bracketed[2]];
  if ((entry.match(/:/g) ?? []).length > 1) return [entry, undefined];
  const [host = '', port] = entry.split(':');
  return [host, port];
}

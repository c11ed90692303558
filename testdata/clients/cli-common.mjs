// cli-common.mjs holds what scopegate's Node test clients share: their
// command-line conventions (options first, then a transport word and its
// target), the SDK transport for that target, and one-JSON-line output.

import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// UsageError is a mistake on the command line; the clients exit 2 for it.
export class UsageError extends Error {}

// parseHeader reads the value of --header, "Name: value", into headers.
export function parseHeader(h, headers) {
  const colon = h.indexOf(':');
  if (colon <= 0) {
    throw new UsageError(`--header ${JSON.stringify(h)}: want "Name: value"`);
  }
  headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
}

// parseTarget reads the transport word and its target from argv[i:] into
// opts.transport and opts.target.
export function parseTarget(argv, i, opts) {
  opts.transport = argv[i];
  opts.target = argv.slice(i + 1);
  if (!['stdio', 'sse', 'http'].includes(opts.transport)) {
    throw new UsageError(`want a transport (stdio, sse or http), got ${JSON.stringify(opts.transport)}`);
  }
  if (opts.target.length === 0) {
    throw new UsageError(`${opts.transport} needs a ${opts.transport === 'stdio' ? 'command' : 'URL'}`);
  }
  if (opts.transport !== 'stdio' && opts.target.length !== 1) {
    throw new UsageError(`${opts.transport} takes one URL, got ${opts.target.length} arguments`);
  }
}

// newTransport returns the SDK transport for opts: a stdio server started
// with this process's environment plus opts.env (the SDK passes only a few
// variables by default, and tests configure the server through the
// environment), or an SSE or Streamable HTTP connection sending opts.headers.
export function newTransport(opts) {
  if (opts.transport === 'stdio') {
    const [command, ...args] = opts.target;
    return new StdioClientTransport({
      command,
      args,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stderr: 'inherit',
    });
  }
  let url;
  try {
    url = new URL(opts.target[0]);
  } catch {
    throw new UsageError(`not a URL: ${opts.target[0]}`);
  }
  const requestInit = { headers: opts.headers };
  if (opts.transport === 'sse') {
    return new SSEClientTransport(url, { requestInit });
  }
  return new StreamableHTTPClientTransport(url, { requestInit });
}

// writeLine prints obj as one JSON line on stdout, once it is written.
export function writeLine(obj) {
  return new Promise((resolve, reject) => {
    process.stdout.write(JSON.stringify(obj) + '\n', (err) => (err ? reject(err) : resolve()));
  });
}

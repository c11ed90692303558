#!/usr/bin/env node
// sdk-client.mjs drives an MCP server with the official TypeScript SDK client,
// so scopegate's tests can check that a real SDK client accepts what the server
// sends over each transport.
//
// Usage:
//
//   node sdk-client.mjs [options] stdio <command> [arg...]
//   node sdk-client.mjs [options] sse <url>
//   node sdk-client.mjs [options] http <url>
//
// Options come before the transport word; everything after a stdio command
// belongs to the server.
//
//   --steps <json>        the steps to perform (default: read JSON from stdin)
//   --header 'Name: v'    an HTTP header for sse and http (repeatable)
//   --env KEY=VALUE       an environment variable for the stdio server
//                         (repeatable; the server also inherits this process's
//                         environment)
//   --cwd <dir>           the stdio server's working directory
//   --timeout <ms>        the limit for each request (default 30000)
//
// The steps are a JSON array; each step is one of
//
//   {"method": "tools/list"}
//   {"method": "tools/call", "name": "gmail_send_email", "arguments": {...}}
//   {"method": "ping"}
//
// and may carry "expectError": true when the step must fail with a protocol
// error. Each step prints one JSON line on stdout:
//
//   {"step": 0, "method": "tools/list", "result": {...}}
//   {"step": 1, "method": "tools/call", "name": "x", "error": {"code": -32602, "message": "..."}}
//
// A tool result with "isError": true is a result, not a failure. A protocol
// error (a JSON-RPC error, a malformed result, or structured content that does
// not match the tool's outputSchema) stops the run with a message on stderr and
// exit status 1, unless the step expected it; a step that expected an error and
// got none also exits 1. Usage mistakes exit 2.
//
// The SDK checks structuredContent against a tool's outputSchema only for tools
// it has seen in a tools/list answer, so the client lists all tools once before
// the first tools/call when the steps have not done so.

import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UsageError, newTransport, parseHeader, parseTarget, writeLine } from './cli-common.mjs';

const USAGE = `usage: sdk-client.mjs [--steps JSON] [--header 'Name: value'] [--env K=V] [--cwd DIR]
                      [--timeout MS] (stdio COMMAND [ARG...] | sse URL | http URL)`;


function parseArgs(argv) {
  const opts = { headers: {}, env: {}, timeout: 30000 };
  let i = 0;
  const value = (flag) => {
    if (i + 1 >= argv.length) {
      throw new UsageError(`${flag} needs a value`);
    }
    i++;
    return argv[i];
  };

  for (; i < argv.length && argv[i].startsWith('--'); i++) {
    const flag = argv[i];
    switch (flag) {
      case '--steps':
        opts.steps = value(flag);
        break;
      case '--header':
        parseHeader(value(flag), opts.headers);
        break;
      case '--env': {
        const kv = value(flag);
        const eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new UsageError(`--env ${JSON.stringify(kv)}: want KEY=VALUE`);
        }
        opts.env[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--cwd':
        opts.cwd = value(flag);
        break;
      case '--timeout':
        opts.timeout = Number(value(flag));
        if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) {
          throw new UsageError('--timeout wants a positive number of milliseconds');
        }
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }

  parseTarget(argv, i, opts);
  return opts;
}

function parseSteps(text) {
  let steps;
  try {
    steps = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`steps are not JSON: ${err.message}`);
  }
  if (!Array.isArray(steps)) {
    throw new UsageError('steps must be a JSON array');
  }
  steps.forEach((step, n) => {
    if (step === null || typeof step !== 'object') {
      throw new UsageError(`step ${n} is not an object`);
    }
    if (!['tools/list', 'tools/call', 'ping'].includes(step.method)) {
      throw new UsageError(`step ${n}: unknown method ${JSON.stringify(step.method)}`);
    }
    if (step.method === 'tools/call' && typeof step.name !== 'string') {
      throw new UsageError(`step ${n}: tools/call needs a "name"`);
    }
  });
  return steps;
}

// listAllTools follows nextCursor to the end. The SDK keeps output validators
// only for the page it saw last, so after a paged answer they are rebuilt from
// the whole list.
async function listAllTools(client, requestOptions) {
  const tools = [];
  let cursor;
  let pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined, requestOptions);
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);

  if (pages > 1) {
    client.cacheToolMetadata(tools);
  }
  return { tools };
}

async function runStep(client, step, state, requestOptions) {
  switch (step.method) {
    case 'tools/list': {
      const result = await listAllTools(client, requestOptions);
      state.listed = true;
      return result;
    }
    case 'tools/call':
      if (!state.listed) {
        await listAllTools(client, requestOptions);
        state.listed = true;
      }
      return client.callTool(
        { name: step.name, arguments: step.arguments ?? {} },
        undefined,
        requestOptions,
      );
    case 'ping':
      return client.ping(requestOptions);
  }
}

// message returns an error's text on one line. The SDK reports a result that
// fails its own schema as a JSON list of issues; those become "path: message".
function message(err) {
  const text = err instanceof Error ? err.message : String(err);
  let issues;
  try {
    issues = JSON.parse(text);
  } catch {
    return text.replace(/\s*\n\s*/g, ' ');
  }
  if (!Array.isArray(issues) || issues.length === 0) {
    return text.replace(/\s*\n\s*/g, ' ');
  }
  const parts = issues.map((issue) => {
    const path = (issue.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
    return `${path.replace(/^\./, '') || '(result)'}: ${issue.message}`;
  });
  return `malformed result: ${parts.join('; ')}`;
}

function describe(step, n) {
  return `step ${n} (${step.method}${step.name ? ` ${step.name}` : ''})`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const steps = parseSteps(opts.steps ?? readFileSync(0, 'utf8'));
  const transport = newTransport(opts);

  const client = new Client({ name: 'scopegate-sdk-client', version: '0.0.0' });
  const requestOptions = { timeout: opts.timeout };
  try {
    await client.connect(transport, requestOptions);
  } catch (err) {
    throw new Error(`connecting over ${opts.transport}: ${message(err)}`);
  }

  const state = { listed: false };
  try {
    for (const [n, step] of steps.entries()) {
      const line = { step: n, method: step.method };
      if (step.name !== undefined) {
        line.name = step.name;
      }

      let result;
      try {
        result = await runStep(client, step, state, requestOptions);
      } catch (err) {
        if (!step.expectError) {
          throw new Error(`${describe(step, n)}: ${message(err)}`);
        }
        line.error = { code: err.code ?? null, message: message(err) };
        await writeLine(line);
        continue;
      }

      if (step.expectError) {
        throw new Error(`${describe(step, n)}: want a protocol error, got a result`);
      }
      line.result = result;
      await writeLine(line);
    }
  } finally {
    await client.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    const usage = err instanceof UsageError;
    process.stderr.write(`sdk-client: ${err.message}\n${usage ? USAGE + '\n' : ''}`, () =>
      process.exit(usage ? 2 : 1),
    );
  },
);

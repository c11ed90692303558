#!/usr/bin/env node
// sdk-elicit.mjs calls one tool with the official TypeScript SDK client, as a
// client that supports URL-mode elicitation, so scopegate's tests can check
// that a real SDK client is asked to open an authorization link during the
// call and gets the tool's result once the user approves.
//
// Usage:
//
//   node sdk-elicit.mjs [options] stdio <command> [arg...]
//   node sdk-elicit.mjs [options] sse <url>
//   node sdk-elicit.mjs [options] http <url>
//
//   --action accept|decline|cancel  how to answer an elicitation (default accept)
//   --no-elicitation                declare no elicitation capability
//   --tool <name>                   the tool to call (default gmail_list_labels)
//   --arguments <json>              its arguments (default {})
//   --header 'Name: v'              an HTTP header for sse and http (repeatable)
//   --timeout <ms>                  the limit for the call (default 120000)
//   --complete-wait <ms>            after an accepted elicitation, how long to
//                                   wait for notifications/elicitation/complete
//                                   once the call has returned (default 5000)
//
// It prints one JSON line on stdout for each thing that happens, as it happens:
//
//   {"elicitation": {"mode": "url", "url": "...", "elicitationId": "...", "message": "..."}}
//   {"elicitationComplete": {"elicitationId": "..."}}
//   {"result": {...}}                      the tools/call result
//
// An elicitation request that is not in URL mode is declined and reported as
// {"elicitation": {...}, "error": "..."}; the call carries on. A protocol error
// exits 1 with a message on stderr; usage mistakes exit 2.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UsageError, newTransport, parseHeader, parseTarget, writeLine } from './cli-common.mjs';
import * as types from '@modelcontextprotocol/sdk/types.js';

const USAGE = `usage: sdk-elicit.mjs [--action accept|decline|cancel] [--no-elicitation] [--tool NAME]
                     [--arguments JSON] [--header 'Name: value'] [--timeout MS] [--complete-wait MS]
                     (stdio COMMAND [ARG...] | sse URL | http URL)`;


function parseArgs(argv) {
  const opts = {
    action: 'accept',
    elicitation: true,
    tool: 'gmail_list_labels',
    arguments: {},
    headers: {},
    timeout: 120000,
    completeWait: 5000,
  };
  let i = 0;
  const value = (flag) => {
    if (i + 1 >= argv.length) {
      throw new UsageError(`${flag} needs a value`);
    }
    i++;
    return argv[i];
  };
  const millis = (flag) => {
    const n = Number(value(flag));
    if (!Number.isFinite(n) || n < 0) {
      throw new UsageError(`${flag} wants a number of milliseconds`);
    }
    return n;
  };

  for (; i < argv.length && argv[i].startsWith('--'); i++) {
    const flag = argv[i];
    switch (flag) {
      case '--action':
        opts.action = value(flag);
        if (!['accept', 'decline', 'cancel'].includes(opts.action)) {
          throw new UsageError(`--action must be accept, decline or cancel, not ${JSON.stringify(opts.action)}`);
        }
        break;
      case '--no-elicitation':
        opts.elicitation = false;
        break;
      case '--tool':
        opts.tool = value(flag);
        break;
      case '--arguments':
        try {
          opts.arguments = JSON.parse(value(flag));
        } catch (err) {
          throw new UsageError(`--arguments is not JSON: ${err.message}`);
        }
        break;
      case '--header':
        parseHeader(value(flag), opts.headers);
        break;
      case '--timeout':
        opts.timeout = millis(flag);
        break;
      case '--complete-wait':
        opts.completeWait = millis(flag);
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }

  parseTarget(argv, i, opts);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const capabilities = opts.elicitation ? { elicitation: { url: {} } } : {};
  const client = new Client({ name: 'scopegate-sdk-elicit', version: '0.0.0' }, { capabilities });

  // What was accepted, and which completions arrived, by elicitation id.
  const accepted = new Set();
  const completed = new Set();
  let wake = () => {};

  if (opts.elicitation) {
    client.setRequestHandler(types.ElicitRequestSchema, async (request) => {
      const p = request.params;
      const line = {
        elicitation: { mode: p.mode ?? 'form', url: p.url, elicitationId: p.elicitationId, message: p.message },
      };
      if (p.mode !== 'url') {
        line.error = `want mode "url", got ${JSON.stringify(p.mode)}`;
        await writeLine(line);
        return { action: 'decline' };
      }
      await writeLine(line);
      if (opts.action === 'accept') {
        accepted.add(p.elicitationId);
      }
      return { action: opts.action };
    });
  }

  const onComplete = async (notification) => {
    const id = notification.params?.elicitationId;
    completed.add(id);
    await writeLine({ elicitationComplete: { elicitationId: id } });
    wake();
  };
  if (types.ElicitationCompleteNotificationSchema) {
    client.setNotificationHandler(types.ElicitationCompleteNotificationSchema, onComplete);
  } else {
    client.fallbackNotificationHandler = async (notification) => {
      if (notification.method === 'notifications/elicitation/complete') {
        await onComplete(notification);
      }
    };
  }

  const transport = newTransport(opts);
  const requestOptions = { timeout: opts.timeout };
  try {
    await client.connect(transport, requestOptions);
  } catch (err) {
    throw new Error(`connecting over ${opts.transport}: ${err.message}`);
  }

  try {
    // The SDK checks structured content against the tool's outputSchema once
    // it has listed the tools.
    await client.listTools(undefined, requestOptions);
    const result = await client.callTool({ name: opts.tool, arguments: opts.arguments }, undefined, requestOptions);

    // The completion is sent before the result; give it time to be read if
    // it travels on another stream.
    const pending = () => [...accepted].some((id) => !completed.has(id));
    if (pending()) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, opts.completeWait);
        wake = () => {
          if (!pending()) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
    }
    await writeLine({ result });
  } finally {
    await client.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    const usage = err instanceof UsageError;
    process.stderr.write(`sdk-elicit: ${err.message}\n${usage ? USAGE + '\n' : ''}`, () =>
      process.exit(usage ? 2 : 1),
    );
  },
);

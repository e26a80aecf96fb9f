// Checks the read-only check scripts the app serves (static/collect/*.ps1) without running
// PowerShell, which these machines do not have:
//   1. each parses as PowerShell with the tree-sitter-powershell grammar (no ERROR or MISSING node);
//   2. no command in it writes: every command name is looked up in the parse tree and refused
//      when it is a writing verb (Set-, New-, Remove-…), a writing native tool (reg add, netsh … set,
//      wevtutil cl…) or a web request; the only writes allowed are the opt-in ones the person asks
//      for (Out-File -FilePath $OutFile, Set-Clipboard), each only inside `if ($OutFile)` / `if ($Clipboard)`;
//   3. .NET calls that could write (::Delete, ::WriteAll…, .Save(), .Remove…) are refused too.
// Run by `cargo xtask test`; also `node tests/collect/check_scripts.mjs [file…]` to check others.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Parser, Language } from 'web-tree-sitter';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const grammar = path.join(path.dirname(require.resolve('tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm');

// Verbs that change something (Get-Verb's Common, Data, Lifecycle and Security groups, minus the
// reading ones). `Invoke-` covers Invoke-WebRequest/RestMethod/Expression/Command alike.
const WRITING_VERBS = [
  'Add', 'Clear', 'Close', 'Copy', 'Enter', 'Exit', 'Move', 'New', 'Open', 'Push', 'Pop', 'Redo', 'Remove',
  'Rename', 'Reset', 'Set', 'Switch', 'Undo', 'Unlock', 'Lock', 'Backup', 'Checkpoint', 'Restore', 'Save',
  'Sync', 'Update', 'Import', 'Export', 'Initialize', 'Install', 'Uninstall', 'Register', 'Unregister',
  'Publish', 'Unpublish', 'Enable', 'Disable', 'Start', 'Stop', 'Restart', 'Resume', 'Suspend', 'Submit',
  'Approve', 'Deny', 'Grant', 'Revoke', 'Protect', 'Unprotect', 'Block', 'Unblock', 'Invoke', 'Send',
  'Connect', 'Disconnect', 'Mount', 'Dismount', 'Edit', 'Write', 'Out', 'Repair', 'Debug', 'Wait', 'Use',
  'Optimize', 'Complete', 'Deploy', 'Expand', 'Compress', 'Join', 'Split', 'Merge', 'Limit', 'Request',
];
// Verb-Noun commands that look like writes but only read, each with why.
const ALLOWED_COMMANDS = new Map([
  ['Join-Path', 'builds a path string'],
  ['Out-File', 'only the opt-in -OutFile (checked below)'],
  ['Set-Clipboard', 'only the opt-in -Clipboard (checked below)'],
  ['Invoke-CimMethod', 'only GetGracePeriodDays, a read (checked below)'],
]);
// Native tools the scripts may run, and the arguments that make them read-only.
const NATIVE_TOOLS = new Map([
  ['w32tm', (args) => args[0]?.toLowerCase() === '/query'],
  ['nltest', (args) => args.length === 1 && /^"?\/sc_query:/i.test(args[0])],
  ['dsregcmd', (args) => args.length === 1 && args[0].toLowerCase() === '/status'],
  ['cmdkey', (args) => args.length === 1 && args[0].toLowerCase() === '/list'],
  ['netsh', (args) => args.length >= 2 && args.some((a) => a.toLowerCase() === 'show')
    && !args.some((a) => /^(set|add|delete|reset|dump|import|export)$/i.test(a))],
]);
// Cmdlets that take no `Verb-Noun` form but run code or write.
const FORBIDDEN_BARE = new Set(['iex', 'iwr', 'irm', 'curl', 'wget', 'reg', 'regedit', 'sc', 'sc.exe', 'icacls',
  'takeown', 'wmic', 'secedit', 'certutil', 'del', 'rm', 'rd', 'rmdir', 'erase', 'move', 'mv', 'copy', 'cp',
  'ren', 'ni', 'md', 'mkdir', 'sal', 'set', 'sv', 'kill', 'spps', 'saps', 'start', 'tee', 'bitsadmin', 'powershell',
  'pwsh', 'cmd', 'schtasks', 'shutdown', 'net', 'gpupdate']);
// .NET members that write, delete or run something.
// .NET members that write files, keys or ACLs, start or stop processes, or send data.
const FORBIDDEN_MEMBERS = /^(Delete\w*|WriteAll\w*|AppendAll\w*|Create|CreateSubKey|CreateText|CreateDirectory|MoveTo|Move|CopyTo|Copy|Replace|Save|SetAccessControl|SetValue|Start|Kill|Import|Export\w*|OpenWrite|Send\w*|Upload\w*|Download\w*|Invoke\w*)$/;

export async function loadParser() {
  await Parser.init();
  const language = await Language.load(grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

function* walk(node) {
  yield node;
  for (const child of node.children) yield* walk(child);
}

function where(file, node) {
  return `${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

function syntaxProblems(file, tree) {
  const problems = [];
  for (const node of walk(tree.rootNode)) {
    if (node.isError || node.isMissing) {
      const what = node.isMissing ? `missing ${node.type}` : `cannot parse ${JSON.stringify(node.text.slice(0, 60))}`;
      problems.push(`${where(file, node)}: ${what}`);
    }
  }
  return problems;
}

// The innermost `if` condition texts around a node, to check that opt-in writes are guarded.
function guards(node) {
  const out = [];
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'if_statement') {
      const condition = n.childForFieldName('condition') ?? n.children.find((c) => c.type === 'pipeline');
      if (condition) out.push(condition.text.trim());
    }
  }
  return out;
}

function commandArguments(command) {
  const elements = command.childForFieldName('command_elements');
  if (!elements) return [];
  return elements.namedChildren
    .filter((c) => c.type !== 'command_argument_sep' && c.type !== 'redirection')
    .map((c) => c.text);
}

// Functions the script defines: calling them is fine, their bodies are checked like the rest.
function definedFunctions(tree) {
  const names = new Set();
  for (const node of walk(tree.rootNode)) {
    if (node.type === 'function_statement') {
      const name = node.namedChildren.find((c) => c.type === 'function_name');
      if (name) names.add(name.text);
    }
  }
  return names;
}

function writeProblems(file, tree) {
  const problems = [];
  const functions = definedFunctions(tree);
  for (const node of walk(tree.rootNode)) {
    if (node.type === 'command') {
      const nameNode = node.childForFieldName('command_name');
      if (!nameNode) continue;
      const name = nameNode.text;
      // `& $Body` runs a section's script block, written in the script and checked here.
      if (functions.has(name) || name === '$Body') continue;
      const args = commandArguments(node);
      const lower = name.toLowerCase();
      const verb = name.includes('-') ? name.split('-')[0] : null;
      const at = where(file, node);
      if (ALLOWED_COMMANDS.has(name)) {
        if (name === 'Out-File' && !(args.join(' ') === '-FilePath $OutFile -Encoding utf8' && guards(node).includes('$OutFile'))) {
          problems.push(`${at}: Out-File is allowed only as "Out-File -FilePath $OutFile -Encoding utf8" inside if ($OutFile)`);
        }
        if (name === 'Set-Clipboard' && !(args.length === 0 && guards(node).includes('$Clipboard'))) {
          problems.push(`${at}: Set-Clipboard is allowed only without arguments inside if ($Clipboard)`);
        }
        if (name === 'Invoke-CimMethod' && !/-MethodName GetGracePeriodDays\b/.test(args.join(' '))) {
          problems.push(`${at}: Invoke-CimMethod is allowed only for GetGracePeriodDays`);
        }
        continue;
      }
      if (NATIVE_TOOLS.has(lower)) {
        if (!NATIVE_TOOLS.get(lower)(args)) problems.push(`${at}: ${name} ${args.join(' ')} is not one of its read-only forms`);
        continue;
      }
      if (FORBIDDEN_BARE.has(lower)) {
        problems.push(`${at}: ${name} can change the system or run other code`);
        continue;
      }
      if (verb && WRITING_VERBS.some((v) => v.toLowerCase() === verb.toLowerCase())) {
        problems.push(`${at}: ${name} uses the writing verb ${verb}-`);
        continue;
      }
      if (verb === null && !/^[a-z0-9]+$/i.test(name)) {
        problems.push(`${at}: ${name} is not a command this check knows to be read-only`);
      }
    } else if (node.type === 'invokation_expression' || node.type === 'member_access') {
      const member = node.namedChildren.find((c) => c.type === 'member_name');
      if (member && FORBIDDEN_MEMBERS.test(member.text)) {
        problems.push(`${where(file, node)}: .${member.text}() can write`);
      }
    } else if (node.type === 'redirection' || node.type === 'file_redirection_operator') {
      if (!/^2>&1$/.test(node.text.trim())) problems.push(`${where(file, node)}: the redirection ${node.text} writes a file`);
    }
  }
  return problems;
}

export function check(parser, file, source) {
  const tree = parser.parse(source);
  return [...syntaxProblems(file, tree), ...writeProblems(file, tree)];
}

// The check must catch these; if it stops catching one, the check itself is broken.
const MUST_FAIL = [
  'if ($a -eq (',
  'Set-ItemProperty -Path HKLM:\\X -Name a -Value 1',
  'New-Item -Path C:\\x',
  'Remove-Item C:\\x',
  'Enable-NetFirewallRule -Group x',
  'Restart-Service TermService',
  'Stop-Service TermService',
  'Clear-EventLog System',
  'reg add HKLM\\X /v a /d 1',
  'reg delete HKLM\\X /f',
  'netsh advfirewall firewall set rule group="remote desktop" new enable=yes',
  'netsh advfirewall firewall add rule name=x dir=in action=allow',
  'Invoke-WebRequest https://example.com -Method Post -Body $json',
  'Invoke-RestMethod https://example.com',
  'irm https://example.com/x.ps1 | iex',
  '"x" | Out-File C:\\x.txt',
  'Get-Process > C:\\x.txt',
  '[IO.File]::WriteAllText("C:\\x", "y")',
  '$json | Set-Clipboard',
  'Invoke-CimMethod -ClassName Win32_Process -MethodName Create',
  'icacls C:\\x /grant Everyone:F',
  'w32tm /resync',
];

function selfTest(parser) {
  const missed = MUST_FAIL.filter((sample) => check(parser, 'sample', sample).length === 0);
  const clean = 'if ($OutFile) { $json | Out-File -FilePath $OutFile -Encoding utf8 }\nif ($Clipboard) { $json | Set-Clipboard }\nGet-Service -Name TermService\nw32tm /query /status 2>&1';
  const falseAlarms = check(parser, 'sample', clean);
  return [
    ...missed.map((sample) => `the check does not catch: ${sample}`),
    ...falseAlarms.map((problem) => `the check refuses a read-only sample: ${problem}`),
  ];
}

async function main() {
  const files = process.argv.slice(2).length
    ? process.argv.slice(2)
    : ['static/collect/server.ps1', 'static/collect/client.ps1'].map((f) => path.join(root, f));
  const parser = await loadParser();
  const broken = selfTest(parser);
  for (const problem of broken) console.error(problem);
  let failed = broken.length > 0;
  for (const file of files) {
    const problems = check(parser, path.relative(root, file), readFileSync(file, 'utf8'));
    for (const problem of problems) console.error(problem);
    if (problems.length) failed = true;
    else console.log(`${path.relative(root, file)}: parses as PowerShell, and no command writes`);
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

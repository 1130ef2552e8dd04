// The modeler's lint rules over BPMN files, from the command line: prints
// {file: {element id: [{category, message}]}} as JSON (tests/unit/test_bpmn_lint.py).
import { readFile } from 'node:fs/promises';
import BpmnModdle from 'bpmn-moddle';
import { Linter } from 'bpmnlint';
import { config, resolver } from './rules.mjs';

const found = {};
for (const file of process.argv.slice(2)) {
  const linter = new Linter({ config, resolver }); // a rule keeps state while it runs
  const { rootElement } = await new BpmnModdle().fromXML(await readFile(file, 'utf8'));
  const issues = {};
  for (const reports of Object.values(await linter.lint(rootElement))) {
    for (const { id, message, category } of reports) (issues[id] ||= []).push({ category, message });
  }
  found[file] = issues;
}
console.log(JSON.stringify(found, null, 1));

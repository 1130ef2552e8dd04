// Bundled by `make` (esbuild, into node_modules: build output, never committed) for the
// modeler page: bpmn-js-bpmnlint's module and the rules it runs.
import lintModule from 'bpmn-js-bpmnlint';
import { config, resolver } from './rules.mjs';

window.RaciflowLint = { module: lintModule, bpmnlint: { config, resolver } };

// typescript-eslint's type-checked recommended rules, plus STYLE.md's layering (pure modules, use cases, no test/ in src).
// Import cycles are checked by test/unit/layers.test.ts (no cycle rule without another plugin).
import tseslint from 'typescript-eslint';

const PURE = ['kube', 'policy', 'mask', 'audit', 'credential', 'api'];
const EDGES = ['oidc', 'store', 'local-proxy', 'process', 'platform', 'simulated-cluster'];
const NOT_PURE = [...EDGES, 'usecases', 'cli', 'mcp', 'quickstart'];
const TEST_DIR = { regex: '^(\\.\\./)+test/', message: 'product code never imports from test/ (move what the product runs under src/)' };
const CLOCK_AND_RANDOMNESS = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'pure modules read no clock: take `now` as a parameter' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure modules read no clock: take `now` as a parameter' },
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'pure modules use no randomness: take it as a parameter' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits; every other promise must be handled.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      // `_name` marks a binding kept on purpose (a rest-sibling that drops a field, a positional parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // ExitRequest (src/cli/context.ts) and the simulated shell's ExitSignal/PipeClosed are control flow to the one place that exits.
      '@typescript-eslint/only-throw-error': [
        'error',
        { allow: [{ from: 'file', name: ['ExitRequest', 'ExitSignal', 'PipeClosed'] }], allowThrowingUnknown: true },
      ],
      // A `let` bound late for a closure built before it (create-gateway's wiring) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Async functions without await implement Promise-returning interfaces (stores, fakes, pipeline steps); not a bug.
      '@typescript-eslint/require-await': 'off',
      // Deps objects are records of functions typed with method syntax and destructured by design; none uses `this`.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read JSON bodies and parsed YAML as `any` and assert on them; typing each read adds nothing an assertion misses.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Test doubles stringify whatever the test gave them (kube objects, labels) into messages and names.
      '@typescript-eslint/no-base-to-string': 'off',
      // Assertions kept in tests document the shape the test expects, even where the compiler already knows it.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  // The simulated cluster moved from test/support (where the test rules above applied) into src/ so the quickstart
  // ships it; these files read arbitrary Kubernetes JSON as `any` (225 findings at the move, 172 in table-printers.ts).
  // Type those reads, then delete this block; its other files already pass the src rules.
  {
    files: [
      'src/simulated-cluster/table-printers.ts',
      'src/simulated-cluster/workload-controller.ts',
      'src/simulated-cluster/defaults.ts',
      'src/simulated-cluster/patch.ts',
      'src/simulated-cluster/object-writer.ts',
      'src/simulated-cluster/test-controls.ts',
      'src/simulated-cluster/protobuf-reader.ts',
      'src/simulated-cluster/selectors.ts',
      'src/simulated-cluster/spdy-session.ts',
    ],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  // Layering (STYLE.md): pure modules import no I/O, no edges and no packages beyond yaml/zod/jose, and read no clock.
  {
    files: PURE.map((d) => `src/${d}/**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^node:(fs|fs/promises|net|http|https|http2|child_process|dgram|tls|os|worker_threads)$',
              message: 'pure modules do no I/O: take it as a parameter',
            },
            { regex: `^(\\.\\./)+(${NOT_PURE.join('|')})/`, message: 'pure modules import only pure modules (the /v1 wire types are in src/api/wire.ts)' },
            { regex: '^(\\.\\./)+gateway/', message: 'pure modules import only pure modules (the /v1 wire types are in src/api/wire.ts)' },
            { regex: '^(?!node:|yaml$|zod$|jose$|\\.)', message: 'pure modules use only yaml, zod and jose' },
            TEST_DIR,
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...CLOCK_AND_RANDOMNESS],
    },
  },
  // Use cases use edges only through the deps they are given (types only).
  {
    files: ['src/usecases/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: `^(\\.\\./)+(${EDGES.join('|')})/`, allowTypeImports: true, message: 'use cases take their I/O as deps: import only the types of edges' },
            {
              regex: '^node:(fs|fs/promises|net|http|https|http2|child_process|dgram|tls)$',
              allowTypeImports: true,
              message: 'use cases take their I/O as deps',
            },
            TEST_DIR,
          ],
        },
      ],
    },
  },
  // Pipeline steps may do the data path's own I/O (forwarding is their job) but reach the CLI's edges only as types.
  {
    files: ['src/gateway/pipeline/**/*.ts'],
    // answer-gate builds its refusal with platform/upgrade-response (shared with the local proxy): move it out of platform/.
    ignores: ['**/*.test.ts', 'src/gateway/pipeline/answer-gate.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${EDGES.join('|')})/`,
              allowTypeImports: true,
              message: 'pipeline steps reach edges through the gateway context: import only their types',
            },
            TEST_DIR,
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts', ...PURE.map((d) => `src/${d}/**`), 'src/usecases/**', 'src/gateway/pipeline/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [TEST_DIR] }] },
  },
  // Findings in files other branches are rewriting now (local proxy, session use cases, pipeline and store performance):
  // fix them after those merges, then delete this block.
  {
    files: [
      'src/local-proxy/answer-summary.ts',
      'src/local-proxy/create-local-proxy.ts',
      'src/usecases/connect.ts',
      'src/gateway/pipeline/forward.ts',
      'src/gateway/pipeline/restore-last-applied.ts',
      'src/store/postgres-access-requests.ts',
      'src/store/sqlite-access-requests.ts',
      'test/integration/connect-exec.test.ts',
    ],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
);

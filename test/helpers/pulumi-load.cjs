// Loads index.ts the way `pulumi up` does: @pulumi/pulumi's own TypeScript selection (the
// project's typescript, ts-node from the project or Pulumi's vendored one) and the
// compiler options it reads from tsconfig.json. Config comes from PULUMI_CONFIG as the
// engine passes it. Prints one line: LOADED, or the error message.
const path = require("path");
const root = path.join(__dirname, "..", "..");
process.chdir(root);
const tsutils = require(path.join(root, "node_modules/@pulumi/pulumi/tsutils.js"));
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({ compilerOptions: tsutils.loadTypeScriptCompilerOptions("tsconfig.json"), compiler: typescriptRequire });
try {
  require(path.join(root, "index.ts"));
  console.log("LOADED");
} catch (e) {
  console.log(e.message);
}

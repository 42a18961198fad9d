/**
 * @module sidecar-agent/cli/version — `thanos-edge --version` (and `<command> --version`), in the
 * shape of Thanos's (Prometheus common/version) print: a version line, then build details. There
 * is no git in a package install, so branch and revision say `none`; the rest comes from the
 * running Node.
 */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

export function versionText(program = 'thanos-edge'): string {
  return (
    `${program}, version ${VERSION} (branch: none, revision: none)\n` +
    `  build user:       none\n` +
    `  build date:       none\n` +
    `  node version:     ${process.version}\n` +
    `  platform:         ${process.platform}/${process.arch}\n`
  );
}

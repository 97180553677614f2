// The CLI's exit statuses, one meaning each, so scripts and Deployments can act on them
// (documented in packages/cli/README.md).

export const exitCodes = {
  ok: 0, // done: printed, or the router matches the cluster
  failure: 1, // an unexpected error (a bug: please report it with the message)
  usage: 2, // a bad flag or argument
  cluster: 3, // the cluster could not be read (manifests, kubeconfig, API server)
  ssh: 4, // ssh could not connect or run the script (ssh's own exit 255, a timeout)
  refused: 5, // the router is not in a state to change; nothing was changed
  applyFailed: 6, // some changes did not take; the report says which, the rest stands
  conflicts: 7, // routes minilb does not own hold some podCIDRs; those prefixes were left alone
  notConfirmed: 8, // the change was declined, or there was no terminal to ask and no --yes
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

// An error that reaches the user as one message and a chosen exit status.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

using System;
using System.IO;
using System.Threading;
using TraceCraft.Cli;

// The native host of the `tracecraft` command line: everything else lives in TraceCraft.Core (Cli/TracecraftCli.cs).
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels the running verb (it prints "Error: cancelled." and exits 1); a second one kills.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

return TracecraftCli.Run(args, new CliContext
{
    Out = Console.Out,
    Error = Console.Error,
    WorkingDirectory = Directory.GetCurrentDirectory(),
    Environment = Environment.GetEnvironmentVariable,
    Cancellation = cancellation.Token,
});

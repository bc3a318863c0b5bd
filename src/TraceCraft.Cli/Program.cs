using System;
using System.IO;
using System.Linq;
using System.Threading;
using TraceCraft.Cli.Native.Mcp;
using TraceCraft.CommandLine;

// The native host of the `tracecraft` command line: everything else lives in src/TraceCraft.CommandLine (TracecraftCli.cs).
// Whatever happens, the process ends with "Error: <message>" and exit code 1, never with the runtime's
// "Unhandled exception" and a stack trace (exit 134): TracecraftCli.Run reports every failure of a verb, and the two
// handlers below catch what escapes it (a failure outside a verb, or on another thread).
AppDomain.CurrentDomain.UnhandledException += (_, e) => LastResort(e.ExceptionObject as Exception);

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels the running verb (it prints "Error: cancelled." and exits 1); a second one kills.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

try
{
    // `tracecraft mcp`: the MCP server (Mcp/), which only this native host has; `mcp --help` is the command line's help.
    if (args is ["mcp"]) return TracecraftMcpServer.RunAsync(cancellation.Token).GetAwaiter().GetResult();
    if (args is ["mcp", _, ..] && !args.Contains("--help") && !args.Contains("-h"))
    {
        Console.Error.WriteLine($"Error: unrecognized arguments: {string.Join(" ", args.Skip(1))}");
        Console.Error.WriteLine("Run 'tracecraft mcp --help' for usage.");
        return TracecraftCli.UsageFailure;
    }
    return TracecraftCli.Run(args, new CliContext
    {
        Out = Console.Out,
        Error = Console.Error,
        WorkingDirectory = Directory.GetCurrentDirectory(),
        Environment = Environment.GetEnvironmentVariable,
        Cancellation = cancellation.Token,
    });
}
catch (Exception e)
{
    LastResort(e);
    return 1;
}

static void LastResort(Exception? e)
{
    try
    {
        Console.Error.WriteLine($"Error: {e?.Message ?? "unexpected failure"}");
        Console.Error.Flush();
    }
    catch (Exception)
    {
        // stderr itself is gone: the exit code is all that is left to say it.
    }
    Environment.Exit(1);
}

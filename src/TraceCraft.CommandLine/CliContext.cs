using System;
using System.IO;
using System.Threading;

namespace TraceCraft.CommandLine
{
    /// <summary>Everything a run of the <c>tracecraft</c> command line needs from its host (native program or PowerShell).</summary>
    public sealed class CliContext
    {
        public TextWriter Out { get; init; } = TextWriter.Null;
        public TextWriter Error { get; init; } = TextWriter.Null;
        public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();
        public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
        public CancellationToken Cancellation { get; init; }
        /// <summary>Extra session options (a request observer for -Verbose, a test store).</summary>
        public TcSessionOptions? SessionOptions { get; init; }
        /// <summary>Name the help shows for the program.</summary>
        public string ProgramName { get; init; } = "tracecraft";
    }
}

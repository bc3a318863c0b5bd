using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using TraceCraft.CommandLine;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Runs a <c>tracecraft</c> command line (the original's verbs and output) in-process: output lines go to the
    /// pipeline, 'Error: ...' lines to the process's standard error, and $LASTEXITCODE is set (0 success, 1 failure,
    /// 2 usage error). The module's <c>tracecraft</c> function calls this.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "TraceCraft")]
    [OutputType(typeof(string))]
    public sealed class InvokeTraceCraftCommand : TcCmdlet
    {
        /// <summary>The command line, e.g. claim design.</summary>
        [Parameter(Position = 0, ValueFromRemainingArguments = true)]
        [AllowEmptyCollection]
        public string[] ArgumentList { get; set; } = Array.Empty<string>();

        protected override void ProcessItem()
        {
            var output = new LineWriter(line => Post(() => WriteObject(line)));
            var context = new CliContext
            {
                Out = output,
                Error = Console.Error,
                WorkingDirectory = WorkingDirectory,
                Cancellation = Cancellation,
                SessionOptions = new TcSessionOptions { RequestObserver = OnRequest },
            };
            // $LASTEXITCODE is set whatever happens: a caller's `; exit $LASTEXITCODE` must never turn a failure into 0.
            // RunAsync reports every failure itself; what can still escape here (Ctrl+C stopping the pipeline) is a failure.
            int code = TracecraftCli.Failure;
            try
            {
                code = Run(_ => TracecraftCli.RunAsync(ArgumentList, context));
            }
            finally
            {
                output.Flush();
                SessionState.PSVariable.Set("global:LASTEXITCODE", code);
            }
        }

        /// <summary>A TextWriter that hands each complete line to a callback.</summary>
        private sealed class LineWriter : TextWriter
        {
            private readonly Action<string> _line;
            private readonly StringBuilder _buffer = new StringBuilder();

            public LineWriter(Action<string> line) => _line = line;

            public override Encoding Encoding => Encoding.UTF8;

            public override void Write(char value)
            {
                if (value == '\n')
                {
                    string text = _buffer.ToString().TrimEnd('\r');
                    _buffer.Clear();
                    _line(text);
                }
                else _buffer.Append(value);
            }

            public override void Flush()
            {
                if (_buffer.Length > 0)
                {
                    _line(_buffer.ToString());
                    _buffer.Clear();
                }
            }
        }
    }
}

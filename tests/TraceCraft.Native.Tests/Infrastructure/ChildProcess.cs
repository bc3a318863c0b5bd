using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace TraceCraft.Native.Tests.Infrastructure
{
    /// <summary>How the tests start a child process: all three streams redirected as UTF-8 (no BOM), arguments as a list.</summary>
    internal static class ChildProcess
    {
        public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        /// <param name="environment">The child's whole environment; null inherits the test process's.</param>
        public static ProcessStartInfo StartInfo(string fileName, string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
        {
            var info = new ProcessStartInfo(fileName)
            {
                WorkingDirectory = workingDirectory,
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Utf8,
                StandardErrorEncoding = Utf8,
            };
            foreach (string arg in arguments) info.ArgumentList.Add(arg);
            if (environment is not null)
            {
                info.Environment.Clear();
                foreach (var pair in environment) info.Environment[pair.Key] = pair.Value;
            }
            return info;
        }
    }
}

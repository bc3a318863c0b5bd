using System;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Protocol;

namespace TraceCraft.Worker
{
    /// <summary>
    /// Inbox processes for the cross-process inbox tests:
    ///   send CONFIG AGENT TO COUNT START_UNIX_MS   - sends COUNT messages "AGENT-i" to TO; prints "sent AGENT-i"
    ///   send-one CONFIG AGENT TO TEXT              - sends one message (run under the skew shim); prints its key
    ///   take CONFIG AGENT STOP_FILE START_UNIX_MS  - consuming reads (inbox --delete) until STOP_FILE exists and the
    ///                                                inbox is empty; prints "got TEXT" for every message it was given
    /// </summary>
    internal static class InboxModes
    {
        public static bool Handles(string mode) => mode is "send" or "send-one" or "take";

        public static async Task<int> RunAsync(string[] args)
        {
            var config = TcConfig.Parse(args[1], File.ReadAllBytes(args[1])).With(agentId: args[2]);
            using var session = new TcSession(config, new TcSessionOptions { CacheDirectory = Path.Combine(Path.GetTempPath(), "tcworker-" + Guid.NewGuid().ToString("N")) });
            switch (args[0])
            {
                case "send":
                    int count = int.Parse(args[4], CultureInfo.InvariantCulture);
                    Program.WaitUntil(long.Parse(args[5], CultureInfo.InvariantCulture));
                    for (int i = 0; i < count; i++)
                    {
                        await session.Messages.SendAsync(args[3], $"{config.AgentId}-{i}");
                        Console.WriteLine($"sent {config.AgentId}-{i}");
                    }
                    return 0;
                case "send-one":
                    Console.WriteLine((await session.Messages.SendAsync(args[3], args[4])).Key);
                    return 0;
                default:
                    string stop = args[3];
                    Program.WaitUntil(long.Parse(args[4], CultureInfo.InvariantCulture));
                    while (true)
                    {
                        bool stopping = File.Exists(stop);
                        // What `tracecraft inbox --delete` does: a consuming read, show, delete.
                        var taken = await session.Messages.ReadAsync(new InboxQuery { Take = true, Refresh = stopping });
                        foreach (var m in taken) Console.WriteLine("got " + m.Text);
                        if (taken.Count > 0) await session.Messages.DeleteAsync(taken);
                        else if (stopping) return 0;
                        else await Task.Delay(50);
                    }
            }
        }
    }
}

using System;

namespace TraceCraft.PowerShell
{
    /// <summary>
    /// How the format views show a time: the stored UTC time in the machine's local time, "yyyy-MM-dd HH:mm:ss".
    /// Called by the hidden *Local properties of TraceCraft.Types.ps1xml (StartedAtLocal, SentAtLocal, ...), which
    /// the views in TraceCraft.Format.ps1xml name. It lives here rather than in the models: local time and display
    /// text are presentation, which the engine (shared with the native CLI) does not do, and hidden members leave
    /// Get-Member, Format-List * and ConvertTo-Json of the objects as they were.
    /// </summary>
    public static class LocalTime
    {
        public const string Format = "yyyy-MM-dd HH:mm:ss";

        /// <summary>The time as local text (in the current culture, as PowerShell's ToString does); null when unset.</summary>
        public static string? Text(DateTimeOffset? time) =>
            time is DateTimeOffset t && t > DateTimeOffset.MinValue ? t.ToLocalTime().ToString(Format) : null;
    }
}

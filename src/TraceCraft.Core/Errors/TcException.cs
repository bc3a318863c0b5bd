using System;

namespace TraceCraft.Errors
{
    /// <summary>
    /// The one exception type of the engine: a stable code, a message that says what to do, the object it
    /// concerns (step id, key, path) and the cause, which is always kept. Messages never contain secrets.
    /// </summary>
    public sealed class TcException : Exception
    {
        public TcException(TcErrorCode code, string message, object? target = null, Exception? innerException = null)
            : base(message, innerException)
        {
            Code = code;
            Target = target;
        }

        public TcErrorCode Code { get; }

        /// <summary>The step id, key, agent or path the error is about.</summary>
        public object? Target { get; }

        /// <summary>Extra data for callers, e.g. the current value after a lost compare-and-set.</summary>
        public object? Detail { get; init; }

        /// <summary>True when trying again later may succeed (connection lost, server busy): the retry layer retries these.</summary>
        public bool IsTransient { get; init; }
    }
}

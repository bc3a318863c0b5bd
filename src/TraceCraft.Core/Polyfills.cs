#if NETSTANDARD2_0
// netstandard2.0 lacks these compiler-support types; defining them internally lets the same sources use
// init-only properties and nullable flow attributes on every target.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}

namespace System.Diagnostics.CodeAnalysis
{
    [AttributeUsage(AttributeTargets.Parameter)]
    internal sealed class NotNullWhenAttribute : Attribute
    {
        public NotNullWhenAttribute(bool returnValue) => ReturnValue = returnValue;
        public bool ReturnValue { get; }
    }

    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)]
    internal sealed class DoesNotReturnAttribute : Attribute { }
}
#endif

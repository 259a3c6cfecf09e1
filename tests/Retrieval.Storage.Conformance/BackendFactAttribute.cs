using Xunit.Abstractions;
using Xunit.Sdk;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// A conformance test that runs unconditionally for a backend class without <see cref="RequiresServerAttribute"/> (the
/// embedded store, PostgreSQL), and is reported as skipped, with the reason, for a backend class whose server is not
/// configured (Neo4j and Qdrant without <c>NEO4J_URL</c> / <c>QDRANT_URL</c>). xunit 2 decides skips at discovery, per
/// concrete test class, which is what an abstract suite inherited by several backends needs.
/// </summary>
[XunitTestCaseDiscoverer("Retrieval.Storage.Conformance.BackendFactDiscoverer", "Retrieval.Storage.Conformance")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class BackendFactAttribute : FactAttribute
{
}

/// <summary>On a concrete conformance class: its tests need a live server named by an environment variable.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RequiresServerAttribute : Attribute
{
    public RequiresServerAttribute(string variable, string instructions)
    {
        Variable = variable;
        Instructions = instructions;
    }

    public string Variable { get; }

    public string Instructions { get; }

    /// <summary>The skip reason when the variable is unset, otherwise null.</summary>
    public static string? SkipReason(string variable, string instructions) =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)) ? $"{variable} is not set: {instructions}" : null;
}

/// <summary>Discovers <see cref="BackendFactAttribute"/> tests: skipped when the concrete class's server is not configured.</summary>
public sealed class BackendFactDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _diagnostics;

    public BackendFactDiscoverer(IMessageSink diagnosticMessageSink) => _diagnostics = diagnosticMessageSink;

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        ArgumentNullException.ThrowIfNull(testMethod);
        var requirement = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresServerAttribute)).FirstOrDefault();
        var arguments = requirement?.GetConstructorArguments().Cast<string>().ToList();
        var skip = arguments is null ? null : RequiresServerAttribute.SkipReason(arguments[0], arguments[1]);
        if (skip is not null)
        {
            return [new XunitSkippedDataRowTestCase(_diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip)];
        }

        return [new XunitTestCase(_diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
    }
}

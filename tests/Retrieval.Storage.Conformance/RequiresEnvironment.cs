using Xunit.Abstractions;
using Xunit.Sdk;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// Marks a test class (typically a backend's conformance suite) that needs a server named by an environment variable:
/// when the variable is unset or blank, every test of the class is reported as skipped with <see cref="Reason"/>
/// instead of failing or silently passing. Takes effect in assemblies that use <see cref="ConditionalTestFramework"/>
/// (<c>[assembly: TestFramework(ConditionalTestFramework.TypeName, ConditionalTestFramework.AssemblyName)]</c>).
/// xunit 2 decides skips at discovery from attributes on the test method, which the abstract suites share with the
/// backends that always run (embedded, PostgreSQL); the framework decides per concrete class instead.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequiresEnvironmentAttribute(string variable, string reason) : Attribute
{
    public string Variable { get; } = variable;

    public string Reason { get; } = reason;

    /// <summary>The skip reason for a class, or null when it may run.</summary>
    internal static string? SkipReason(ITypeInfo type)
    {
        foreach (var attribute in type.GetCustomAttributes(typeof(RequiresEnvironmentAttribute)))
        {
            var arguments = attribute.GetConstructorArguments().ToList();
            var variable = (string)arguments[0];
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)))
            {
                return $"{variable} is not set: {(string)arguments[1]}";
            }
        }

        return null;
    }
}

/// <summary>The standard xunit 2 framework, except that classes marked <see cref="RequiresEnvironmentAttribute"/> are skipped with its reason when the variable is unset.</summary>
public sealed class ConditionalTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    public const string TypeName = "Retrieval.Storage.Conformance.ConditionalTestFramework";
    public const string AssemblyName = "Retrieval.Storage.Conformance";

    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assembly, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assembly, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var reason = RequiresEnvironmentAttribute.SkipReason(testMethod.TestClass.Class);
            if (reason is null || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var testCase = new SkippedTestCase(
                DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(testCase, includeSourceInformation, messageBus);
        }
    }
}

/// <summary>One skipped test case per test method (a theory's data rows are not expanded), carrying its reason through serialization.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    private string reason = string.Empty;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes", error: true)]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string reason)
        : base(diagnosticMessageSink, display, displayOptions, testMethod)
    {
        this.reason = reason;
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReasonOverride", reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        reason = data.GetValue<string>("SkipReasonOverride");
        base.Deserialize(data);
    }
}

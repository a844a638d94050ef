namespace Stockpile.Tests.Lifetimes;

[TestFixture]
public sealed class ObjectLifetimeTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void For_NotPositive_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectLifetime.For(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectLifetime.For(TimeSpan.FromSeconds(-1)));
    }

    [Test]
    public void TimeToLive_EachKind_MeasuresFromNow()
    {
        var storeDefault = ObjectLifetime.For(TimeSpan.FromMinutes(30));

        Assert.That(ObjectLifetime.For(TimeSpan.FromSeconds(5)).TimeToLive(s_now, storeDefault), Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(ObjectLifetime.At(s_now.AddHours(2)).TimeToLive(s_now, storeDefault), Is.EqualTo(TimeSpan.FromHours(2)));
        Assert.That(ObjectLifetime.At(s_now.AddHours(-2)).TimeToLive(s_now, storeDefault), Is.EqualTo(TimeSpan.FromHours(-2)));
        Assert.That(ObjectLifetime.Never.TimeToLive(s_now, storeDefault), Is.Null);
        Assert.That(ObjectLifetime.Default.TimeToLive(s_now, storeDefault), Is.EqualTo(TimeSpan.FromMinutes(30)));
        Assert.That(ObjectLifetime.Default.TimeToLive(s_now, ObjectLifetime.Never), Is.Null);
        Assert.That(ObjectLifetime.Default.TimeToLive(s_now, ObjectLifetime.Default), Is.Null);
    }

    [Test]
    public void Default_IsTheDefaultValue()
    {
        Assert.That(ObjectLifetime.Default, Is.EqualTo(default(ObjectLifetime)));
        Assert.That(ObjectLifetime.Default.Kind, Is.EqualTo(ObjectLifetimeKind.Default));
        Assert.That(ObjectLifetime.Never.Kind, Is.EqualTo(ObjectLifetimeKind.Never));
    }
}

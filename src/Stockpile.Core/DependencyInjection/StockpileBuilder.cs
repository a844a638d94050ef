using Microsoft.Extensions.DependencyInjection;

namespace Stockpile;

internal sealed class StockpileBuilder(IServiceCollection services) : IStockpileBuilder
{
    public IServiceCollection Services { get; } = services;
}

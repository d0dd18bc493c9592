using var http = new HttpClient();
using var response = await http.PostAsync(Environment.GetEnvironmentVariable("BENCH_URL"), new StringContent("{}"));

if (int.TryParse(Environment.GetEnvironmentVariable("BENCH_HOLD_MS"), out var hold)) await Task.Delay(hold);
return response.IsSuccessStatusCode ? 0 : 1;

"""注册状态查询: is this certificate registered, with which conclusion, until when — and nothing else."""

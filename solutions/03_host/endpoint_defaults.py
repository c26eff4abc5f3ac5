"""What deploy.py asks SageMaker for unless told otherwise: the endpoint's instance type, and a serverless endpoint's
memory and concurrency. Kept apart from deploy.py, so that `make doctor` compares them with the account's quotas
without importing the SageMaker SDK and MXNet (seconds at every run)."""
INSTANCE_TYPE = "ml.c5.large"
# Serverless Inference offers 1024..6144 MB in 1 GB steps. A LocationNet-size model peaks at ~0.85 GB (fp32) and ~0.6 GB
# (int8, which loads nothing of fp32) in model_fn plus one request, and the model server (its Java front end and one
# worker) at ~1.0 GB serving the int8 copy, ~1.5 GB serving fp32 alone (bench/step03_cold_start.py, 2026-12-07): 2 GB
# is the smallest size that holds either with a quarter to spare.
MEMORY_SIZES = range(1024, 6145, 1024)
SERVERLESS_MEMORY_MB = 2048
SERVERLESS_MAX_CONCURRENCY = 2  # the bot's worker asks one photo at a time; 2 lets a retry overlap a slow answer

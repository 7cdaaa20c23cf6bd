"""An external trainer for `genrm star --trainer command`, on TRL.

Reads genrm's train-spec.json (docs/star-at-scale.md), trains SFT or DPO with TRL on the iteration's
rows (already TRL's conversational format), saves the model or LoRA adapter, and writes
trainer-result.json. Launch it with accelerate so one command line covers one GPU, several, or
DeepSpeed ZeRO:

    genrm star ... --trainer command \
      --trainer-cmd 'accelerate launch --config_file zero2.yaml examples/star-at-scale/trl_train.py {spec}'

Written against TRL 0.21 (SFTConfig/SFTTrainer, DPOConfig/DPOTrainer with conversational
prompt-completion and preference datasets; DPOConfig.model_adapter_name / ref_adapter_name for a
reference that is the same base with another adapter) and PEFT 0.17 (LoraConfig, PeftModel
.from_pretrained(..., is_trainable=True)). Not run on genrm's CI machines, which have no GPU or
Python trainer; genrm's own `genrm train --from-spec` follows the same contract and is.
"""

import json
import os
import sys

from datasets import load_dataset
from peft import LoraConfig, PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    hp = spec["hyperparameters"]
    out_dir = spec["output"]["dir"]
    model_dir = os.path.join(out_dir, "model")
    start = spec["model"]
    lora = hp["lora"]

    tokenizer = AutoTokenizer.from_pretrained(start["path"])
    model = AutoModelForCausalLM.from_pretrained(start["path"], torch_dtype="bfloat16")
    peft_config = None
    extra = {}
    if start.get("adapter"):
        # Continue the adapter M(t-1) was served with; as DPO's reference, load it a second time frozen.
        model = PeftModel.from_pretrained(model, start["adapter"]["path"], is_trainable=True)
        if spec["method"] == "dpo" and spec["reference"] is None:
            model.load_adapter(start["adapter"]["path"], adapter_name="reference")
            extra = {"model_adapter_name": "default", "ref_adapter_name": "reference"}
    elif lora is not None:
        peft_config = LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], target_modules="all-linear", task_type="CAUSAL_LM")

    # The paper's optimizer (App. A.2.1): AdamW (0.9, 0.95), weight decay 0.1, cosine, warmup 0.1.
    common = dict(
        output_dir=os.path.join(out_dir, "checkpoints"),
        learning_rate=hp["lr"],
        num_train_epochs=hp["epochs"],
        max_steps=hp["max_steps"] or -1,
        per_device_train_batch_size=hp["batch_size"],
        gradient_accumulation_steps=hp["grad_accum"],
        warmup_ratio=hp["warmup_ratio"],
        weight_decay=hp["weight_decay"],
        adam_beta2=0.95,
        lr_scheduler_type="cosine",
        max_length=hp["max_length"],
        seed=spec["seed"],
        bf16=True,
        gradient_checkpointing=True,
        save_strategy="epoch",
        report_to="none",
    )
    dataset = load_dataset("json", data_files=spec["data"]["trl"], split="train")
    if spec["method"] == "sft":
        # Loss on the rationale and verdict only, as genrm trains (prompt tokens masked).
        args = SFTConfig(**common, completion_only_loss=True)
        trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config)
    else:
        ref_model = None
        if spec["reference"] is not None:
            ref_model = AutoModelForCausalLM.from_pretrained(spec["reference"]["path"], torch_dtype="bfloat16")
            if spec["reference"].get("adapter"):
                ref_model = PeftModel.from_pretrained(ref_model, spec["reference"]["adapter"]["path"]).merge_and_unload()
        args = DPOConfig(**common, beta=hp["beta"], **extra)
        trainer = DPOTrainer(model=model, ref_model=ref_model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config)

    trainer.train()
    trainer.save_model(model_dir)
    if trainer.accelerator.is_main_process:
        adapter = lora is not None or start.get("adapter")
        if spec["output"]["want"] == "adapter" and not adapter:
            sys.exit("the sampling server hot-loads adapters; train with LoRA")
        if adapter and spec["output"]["want"] != "adapter":
            # The next sampler serves plain weights (a restarted server): merge the adapter.
            merged = trainer.model.merge_and_unload()
            merged.save_pretrained(model_dir)
            tokenizer.save_pretrained(model_dir)
            result = {"model": "model", "model_format": "hf"}
        elif adapter:
            result = {"adapter": "model", "adapter_format": "peft-lora"}
        else:
            tokenizer.save_pretrained(model_dir)
            result = {"model": "model", "model_format": "hf"}
        last = [h for h in trainer.state.log_history if "loss" in h]
        result["metrics"] = {"steps": trainer.state.global_step, **({"loss": last[-1]["loss"]} if last else {})}
        with open(spec["output"]["result_file"], "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1])
